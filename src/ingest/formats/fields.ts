import { LineError } from './types.ts';

export function requireString(obj: Record<string, unknown>, key: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.trim() === '') throw new LineError(`missing ${key}`);
  return v;
}

export function optionalString(obj: Record<string, unknown>, key: string): string | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new LineError(`${key} must be a string`);
  return v;
}

export function stringArray(obj: Record<string, unknown>, key: string): string[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new LineError(`${key} must be an array of strings`);
  return v as string[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The last day checked: an import's lines mostly carry the same few days, and a Date round trip per line shows in its profile. */
let lastDay = '';

export function isDay(s: string): boolean {
  if (s === lastDay) return true;
  if (!DAY.test(s)) return false;
  const d = new Date(s + 'T00:00:00Z');
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) return false;
  lastDay = s;
  return true;
}

export function optionalDay(obj: Record<string, unknown>, key: string): string | null {
  const v = optionalString(obj, key);
  if (v === null) return null;
  if (!isDay(v)) throw new LineError(`${key} must be a date YYYY-MM-DD, got ${JSON.stringify(v)}`);
  return v;
}

/** An ISO date or date-time, returned as given when valid. */
export function optionalDate(obj: Record<string, unknown>, key: string): string | null {
  const v = optionalString(obj, key);
  if (v === null) return null;
  if (isDay(v)) return v;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new LineError(`${key} is not a date: ${JSON.stringify(v)}`);
  return d.toISOString();
}
