/** The lines of a component's last frame, rendered once by ink-testing-library (the pane tests' view of a pane). */
import { render } from 'ink-testing-library';

export const frameLines = (el: Parameters<typeof render>[0]): string[] => {
  const r = render(el);
  const out = r.lastFrame()!.split('\n');
  r.unmount();
  return out;
};
