import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../server/protocol.ts';
import { answeredTurns } from '../../../server/service/chat.ts';

const m = (id: number, role: 'user' | 'bot', text: string): MessageView => ({ id, role, text, createdAt: '' });

describe('answeredTurns', () => {
  it('keeps user messages that got a reply, with their replies, and drops unanswered ones', () => {
    const history = [m(1, 'user', 'hi'), m(2, 'bot', 'hello'), m(3, 'user', 'lost to a busy server'), m(4, 'user', 'again'), m(5, 'bot', 'yes')];
    expect(answeredTurns(history)).toEqual(['hi', 'hello', 'again', 'yes']);
    expect(answeredTurns([m(1, 'user', 'pending')])).toEqual([]);
  });
});
