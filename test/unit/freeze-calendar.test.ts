// Freeze windows as the config writes them: recurring (cron in a time zone, daylight saving
// included) and date ranges; which is in force, and which comes next.

import { describe, expect, it } from 'vitest';
import { checkFreezeWindow, freezeSchedule } from '../../src/adapters/calendar/freeze-calendar.js';

const weekend = { name: 'weekend', cron: '0 16 * * 5', durationHours: 64, timezone: 'Europe/Berlin' };
const yearEnd = { name: 'year-end', from: '2026-12-20T00:00:00Z', to: '2027-01-04T00:00:00Z' };

describe('freeze windows', () => {
  it('Fridays 16:00 to Mondays 08:00 Berlin, in winter and in summer time', () => {
    const s = freezeSchedule([weekend]);
    expect(s.activeAt(new Date('2026-12-03T12:00:00Z'))).toBeNull(); // Thursday
    expect(s.activeAt(new Date('2026-12-04T14:59:59Z'))).toBeNull(); // Friday 15:59 CET
    expect(s.activeAt(new Date('2026-12-04T15:00:00Z'))).toEqual({ name: 'weekend', until: new Date('2026-12-07T07:00:00Z') });
    expect(s.activeAt(new Date('2026-12-06T23:00:00Z'))?.until).toEqual(new Date('2026-12-07T07:00:00Z'));
    expect(s.activeAt(new Date('2026-12-07T07:00:00Z'))).toBeNull(); // Monday 08:00 CET
    expect(s.activeAt(new Date('2026-06-05T14:00:00Z'))?.until).toEqual(new Date('2026-06-08T06:00:00Z')); // CEST
  });

  it('date ranges, and the one that ends last when two are in force', () => {
    const s = freezeSchedule([weekend, yearEnd]);
    expect(s.activeAt(new Date('2026-12-19T23:59:59Z'))?.name).toBe('weekend');
    expect(s.activeAt(new Date('2026-12-20T00:00:00Z'))).toEqual({ name: 'year-end', until: new Date('2027-01-04T00:00:00Z') });
    expect(s.activeAt(new Date('2027-01-04T07:00:00Z'))).toBeNull(); // Monday 08:00 CET: both over
  });

  it('lists what is in force and what comes next, soonest first', () => {
    const o = freezeSchedule([weekend, yearEnd]).overview(new Date('2026-12-01T00:00:00Z'));
    expect(o.active).toEqual([]);
    expect(o.next.map((n) => [n.name, n.from.toISOString()])).toEqual([
      ['weekend', '2026-12-04T15:00:00.000Z'],
      ['year-end', '2026-12-20T00:00:00.000Z'],
    ]);
  });

  it('a cron or time zone croner cannot read is a config problem, said in words', () => {
    expect(checkFreezeWindow(weekend)).toBeNull();
    expect(checkFreezeWindow({ ...weekend, cron: '61 25 * * *' })).toMatch(/.+/);
    expect(checkFreezeWindow({ ...weekend, timezone: 'Mars/Olympus' })).toMatch(/.+/);
  });
});
