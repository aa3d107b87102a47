// The devices slice: choices survive a device list refresh while their device exists, and no
// devices (or a refusal) falls back to the test pattern.
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../renderer/src/store/app-store.js';
import { fakeApi } from '../support/studio-fake-api.js';

describe('devices slice', () => {
  it('keeps the chosen device while it exists, else falls back to the first', () => {
    const store = createAppStore(fakeApi());
    const s = () => store.getState();
    s().setDevices([{ deviceId: 'c1', label: 'Cam 1' }, { deviceId: 'c2', label: 'Cam 2' }], [{ deviceId: 'm1', label: 'Mic' }]);
    expect(s().cameraId).toBe('c1');
    s().selectCamera('c2');
    s().selectCamera('nope');
    expect(s().cameraId).toBe('c2');
    s().setDevices([{ deviceId: 'c2', label: 'Cam 2' }], [{ deviceId: 'm1', label: 'Mic' }]);
    expect(s().cameraId).toBe('c2');
    s().setDevices([{ deviceId: 'c3', label: 'Cam 3' }], []);
    expect(s().cameraId).toBe('c3');
    expect(s().microphoneId).toBeNull();
  });

  it('falls back to the test pattern without devices or permission', () => {
    const store = createAppStore(fakeApi());
    expect(store.getState().useTestPattern).toBe(false);
    store.getState().setPermission('denied', 'refused');
    expect(store.getState()).toMatchObject({ useTestPattern: true, deviceError: 'refused' });
    const other = createAppStore(fakeApi());
    other.getState().setDevices([], []);
    expect(other.getState().useTestPattern).toBe(true);
  });

  it('clamps the level meter and flips audio-only', () => {
    const store = createAppStore(fakeApi());
    store.getState().setLevel(3);
    expect(store.getState().level).toBe(1);
    store.getState().setLevel(-1);
    expect(store.getState().level).toBe(0);
    store.getState().setAudioOnly(true);
    expect(store.getState().audioOnly).toBe(true);
    expect(store.getState().logoOverlay).toBe(false);
    store.getState().setLogoOverlay(true);
    expect(store.getState().logoOverlay).toBe(true);
  });
});
