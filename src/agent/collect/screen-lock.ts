// Whether the screen locks by itself: GNOME's `org.gnome.desktop.screensaver lock-enabled`, and the
// session's idle delay (0 = the screen never blanks, so it never locks). Only where a graphical
// session is visible to the agent (DISPLAY or WAYLAND_DISPLAY): gsettings on a headless server
// answers with the schema default, which says nothing about any real screen. `null` otherwise.
import type { CollectContext, Observed } from './collect-context.js';

export async function collectScreenLock(context: CollectContext): Promise<Observed<boolean | null>> {
  if (!context.env.DISPLAY && !context.env.WAYLAND_DISPLAY) return { value: null, detail: 'no graphical session visible to the agent (DISPLAY and WAYLAND_DISPLAY unset)' };
  const lock = await context.run('gsettings', ['get', 'org.gnome.desktop.screensaver', 'lock-enabled']);
  if (lock.kind === 'missing') return { value: null, detail: 'gsettings is not installed (not a GNOME desktop?)' };
  if (lock.kind === 'failed') return { value: null, detail: lock.reason };
  const answer = lock.stdout.trim();
  if (lock.code !== 0 || (answer !== 'true' && answer !== 'false')) return { value: null, detail: `gsettings could not read lock-enabled (exit ${lock.code})` };
  if (answer === 'false') return { value: false, detail: 'GNOME screen lock is disabled' };
  const idle = await context.run('gsettings', ['get', 'org.gnome.desktop.session', 'idle-delay']);
  const seconds = idle.kind === 'exited' && idle.code === 0 ? /(\d+)\s*$/.exec(idle.stdout.trim())?.[1] : undefined;
  if (seconds === '0') return { value: false, detail: 'GNOME screen lock is enabled but the idle delay is 0 (the screen never blanks)' };
  return { value: true, detail: `GNOME screen lock is enabled${seconds === undefined ? '' : ` after ${seconds}s idle`}` };
}
