// A time series plot (uPlot: 50 KB, canvas, fast enough for a point a second).
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

const COLORS = ["#1d4ed8", "#b45309", "#047857", "#b91c1c", "#6d28d9"];

export interface Series {
  /** Seconds since the epoch. */
  times: number[];
  lines: Array<{ label: string; values: Array<number | null> }>;
}

export function TimeChart(props: { title: string; unit: string; data: Series; windowSeconds: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const labels = props.data.lines.map((l) => l.label).join("|");

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: element.clientWidth || 300,
      height: 180,
      series: [{}, ...props.data.lines.map((line, i) => ({ label: line.label, stroke: COLORS[i % COLORS.length], width: 2, value: (_: uPlot, v: number | null) => (v === null ? "-" : `${v.toFixed(1)} ${props.unit}`) }))],
      axes: [{}, { label: props.unit, size: 60 }],
      scales: {
        // Always the last window up to now, however few points there are yet.
        x: { time: true, range: () => { const now = Date.now() / 1000; return [now - props.windowSeconds, now]; } },
        y: { range: (_u, min, max) => [0, Math.max(1, max, min)] },
      },
    };
    plot.current = new uPlot(options, toAligned(props.data), element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: element.clientWidth, height: 180 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
    // Rebuilt only when the set of lines changes; new points go through setData below.
  }, [labels]);

  useEffect(() => {
    plot.current?.setData(toAligned(props.data));
  }, [props.data]);

  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={box} role="img" aria-label={`${props.title}, plotted over time`} />
    </figure>
  );
}

function toAligned(data: Series): uPlot.AlignedData {
  return [data.times, ...data.lines.map((l) => l.values)];
}
