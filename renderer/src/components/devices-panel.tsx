// Devices: camera and microphone pickers, the camera preview, the audio level meter, the
// audio-only switch and the test-pattern choice.
import { useEffect, useRef } from 'react';
import { useApp, useServices } from '../app-context.js';
import { overlaySupported } from '../capture/logo-overlay.js';

function Preview() {
  const { capture } = useServices();
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const set = (s: MediaStream | null) => {
      if (video.current) video.current.srcObject = s && s.getVideoTracks().length > 0 ? s : null;
    };
    set(capture.previewStream);
    return capture.onStream(set);
  }, [capture]);
  return <video ref={video} className="preview" data-testid="preview" autoPlay muted playsInline />;
}

function LevelMeter() {
  const level = useApp((s) => s.level);
  return (
    <div className="meter" role="meter" aria-label="Microphone level" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(level * 100)} data-testid="level">
      <div className="meter-fill" style={{ width: `${Math.round(Math.min(1, level * 1.5) * 100)}%` }} />
    </div>
  );
}

export function DevicesPanel() {
  const { store, live } = useServices();
  const cameras = useApp((s) => s.cameras);
  const microphones = useApp((s) => s.microphones);
  const cameraId = useApp((s) => s.cameraId);
  const microphoneId = useApp((s) => s.microphoneId);
  const audioOnly = useApp((s) => s.audioOnly);
  const testPattern = useApp((s) => s.useTestPattern);
  const permission = useApp((s) => s.permission);
  const error = useApp((s) => s.deviceError);
  const idle = useApp((s) => (s.session?.state ?? 'idle') === 'idle');
  const logoOverlay = useApp((s) => s.logoOverlay);
  const hasLogo = useApp((s) => !!s.profile?.brand.logo);
  const canOverlay = hasLogo && overlaySupported();
  return (
    <div className="panel devices" data-testid="devices">
      <h2>Camera and microphone</h2>
      {!audioOnly && !testPattern && <Preview />}
      {audioOnly && !testPattern && <div className="preview placeholder">Audio only</div>}
      {testPattern && <div className="preview placeholder">The engine's test pattern will be streamed</div>}
      <LevelMeter />
      {error && <p className="note warn">{error}</p>}
      {permission !== 'no-devices' && (
        <>
          <label className="field">
            <span>Camera</span>
            <select
              value={cameraId ?? ''}
              disabled={audioOnly || cameras.length === 0}
              onChange={(e) => {
                store.getState().selectCamera(e.target.value);
                void live.reopenDevices();
              }}
            >
              {cameras.length === 0 && <option value="">No camera</option>}
              {cameras.map((c) => (
                <option key={c.deviceId} value={c.deviceId}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Microphone</span>
            <select
              value={microphoneId ?? ''}
              disabled={microphones.length === 0}
              onChange={(e) => {
                store.getState().selectMicrophone(e.target.value);
                void live.reopenDevices();
              }}
            >
              {microphones.length === 0 && <option value="">No microphone</option>}
              {microphones.map((m) => (
                <option key={m.deviceId} value={m.deviceId}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      <label className="check">
        <input type="checkbox" checked={audioOnly} data-testid="audio-only" onChange={(e) => void live.setAudioOnly(e.target.checked)} />
        Audio only
      </label>
      <label className="check" title={canOverlay ? '' : hasLogo ? 'This browser cannot draw into the stream' : 'The brand has no logo'}>
        <input type="checkbox" checked={logoOverlay} disabled={!canOverlay || audioOnly || testPattern} data-testid="logo-overlay" onChange={(e) => void live.setLogoOverlay(e.target.checked)} />
        Show the logo in the stream
      </label>
      <label className="check">
        <input type="checkbox" checked={testPattern} disabled={!idle} onChange={(e) => store.getState().setUseTestPattern(e.target.checked)} />
        Stream the test pattern instead of my camera
      </label>
    </div>
  );
}
