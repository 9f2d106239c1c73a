/** The UI's components read the model's current view (a new object on each change). */
import { useSyncExternalStore } from 'react';
import type { UiModel, UiView } from './model.js';

export function useView(model: UiModel): UiView {
  return useSyncExternalStore(model.subscribe, model.getView);
}
