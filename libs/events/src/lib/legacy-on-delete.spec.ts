import { DROPPED_LEGACY_FOREIGN_KEYS } from '@nafs/contracts';

import { decodeAuthEvent, encodeAuthEvent, UndecodableEventError } from './event-codec';
import { userReferencesOf } from './legacy-on-delete';

describe('userReferencesOf', () => {
  it('splits the eight former foreign keys to users between web and forms, CASCADE first', () => {
    const list = (service: 'auth' | 'web' | 'forms') =>
      userReferencesOf(service).map((ref) => `${ref.table}.${ref.column} ${ref.onDelete}`);
    expect(list('web')).toEqual(['drawing_projects.user_id CASCADE', 'tool_registry.created_by SET NULL', 'export_jobs.user_id SET NULL']);
    expect(list('forms')).toEqual([
      'forms.user_id CASCADE',
      'form_themes.created_by SET NULL',
      'form_themes.creator_id SET NULL',
      'form_submissions.user_id SET NULL',
      'short_links.created_by SET NULL',
    ]);
    expect(list('auth')).toEqual([]);
    expect(userReferencesOf('web').length + userReferencesOf('forms').length).toBe(DROPPED_LEGACY_FOREIGN_KEYS.length);
  });
});

describe('event codec', () => {
  it('round-trips an event through stream fields', () => {
    const event = {
      id: '0b9e4c1e-8d0c-4a5e-9b2a-3f1d2c4b5a69',
      type: 'auth.user.deleted' as const,
      occurredAt: '2026-01-01T00:00:00.000Z',
      payload: { userId: 'u', tenantId: null },
    };
    expect(decodeAuthEvent(encodeAuthEvent(event))).toEqual(event);
  });

  it('refuses entries that are not events', () => {
    expect(() => decodeAuthEvent(['id', 'nope', 'type', 'x', 'occurredAt', 'y', 'payload', '[]'])).toThrow(UndecodableEventError);
    expect(() => decodeAuthEvent(['id', '0b9e4c1e-8d0c-4a5e-9b2a-3f1d2c4b5a69', 'type', 'x', 'occurredAt', 'y', 'payload', '{'])).toThrow(
      /payload must be a JSON object/,
    );
  });
});
