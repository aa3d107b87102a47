// Q&A: what the host reports. Until the control plane exists the host says it is unavailable and
// the panel shows that; the sorting below is what the panel will use when questions arrive.
import type { QaState, TandemApi } from '../../../common/ipc-contract.js';
import type { Slice } from './slice.js';

export type QaSort = 'votes' | 'time';

export interface QaSlice {
  qa: QaState | null;
  qaSort: QaSort;
  loadQa(): Promise<void>;
  setQaSort(sort: QaSort): void;
}

export function sortQuestions(qs: QaState['questions'], sort: QaSort): QaState['questions'] {
  return [...qs].sort((a, b) => Number(b.pinned) - Number(a.pinned) || (sort === 'votes' ? b.votes - a.votes || a.askedAt - b.askedAt : b.askedAt - a.askedAt));
}

export const createQaSlice =
  (api: TandemApi): Slice<QaSlice> =>
  (set) => ({
    qa: null,
    qaSort: 'votes',
    async loadQa() {
      const r = await api.invoke('qa.get', {});
      if (r.ok) set({ qa: r.value });
    },
    setQaSort(qaSort) {
      set({ qaSort });
    },
  });
