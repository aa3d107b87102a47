// A bitrate sparkline: an SVG polyline over the last minute, scaled to its own peak.
export function Sparkline({ values, width = 220, height = 40 }: { values: number[]; width?: number; height?: number }) {
  if (values.length < 2) return <svg className="sparkline" width={width} height={height} aria-hidden="true" />;
  const max = Math.max(...values, 1);
  const step = width / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' ');
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Bitrate over the last minute">
      <polyline points={points} fill="none" strokeWidth="2" />
    </svg>
  );
}
