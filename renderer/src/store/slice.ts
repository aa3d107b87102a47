// The slice type every slice is written against: it sees the whole store.
import type { StateCreator } from 'zustand/vanilla';
import type { AppState } from './app-store.js';

export type Slice<T> = StateCreator<AppState, [], [], T>;
