// Times as people read them, in the service's time zone (pages, Slack, email).

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let format = formats.get(key);
  if (!format) {
    format = make();
    formats.set(key, format);
  }
  return format;
}

/** `Fri 4 Dec 2026, 06:06 CET` */
export function inWords(iso: string, timeZone: string): string {
  const format = formatter(`long|${timeZone}`, () => new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' }));
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : format.format(at);
}

/** `14:02 CET`: for what happened moments ago. */
export function clockTime(at: Date, timeZone: string): string {
  return formatter(`clock|${timeZone}`, () => new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' })).format(at);
}
