// The presenter's settings (servers without their secrets, brand, viewer URLs) as JSON under userData.
import path from 'node:path';
import { JsonFileSettingsStore, type SettingsStore } from './presenter/storage.js';

export function createSettingsStore(userDataDir: string): SettingsStore {
  return new JsonFileSettingsStore(path.join(userDataDir, 'settings.json'));
}
