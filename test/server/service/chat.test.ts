import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../server/protocol.ts';
import { answeredTurns } from '../../../server/service/chat.ts';

const user = (id: number, text: string): MessageView => ({ id, role: 'user', text, createdAt: '' });
const bot = (id: number, replyTo: number | undefined, text: string): MessageView => ({ id, role: 'bot', text, createdAt: '', ...(replyTo !== undefined && { replyTo }) });

describe('answeredTurns', () => {
  it('keeps user messages that got a reply, with their replies, and drops unanswered ones', () => {
    const history = [user(1, 'hi'), bot(2, 1, 'hello'), user(3, 'lost to a busy server'), user(4, 'again'), bot(5, 4, 'yes')];
    expect(answeredTurns(history)).toEqual(['hi', 'hello', 'again', 'yes']);
    expect(answeredTurns([user(1, 'pending')])).toEqual([]);
  });

  it('pairs replies stored out of order (two messages in flight) with the message each answers', () => {
    const history = [user(1, 'first'), user(2, 'second'), bot(3, 2, 'to second'), bot(4, 1, 'to first')];
    expect(answeredTurns(history)).toEqual(['first', 'to first', 'second', 'to second']);
  });

  it('leaves out an old reply whose message is not known', () => {
    expect(answeredTurns([user(1, 'a'), user(2, 'b'), bot(3, undefined, 'which?'), bot(4, undefined, 'other')])).toEqual([]);
  });
});
