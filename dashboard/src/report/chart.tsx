import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { AriaComponent, DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';

// Only what the dashboard draws, so the bundle carries no other chart type. SVG, so text stays text (and is tested).
echarts.use([BarChart, LineChart, PieChart, AriaComponent, DatasetComponent, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** An ECharts chart with a described role for screen readers (ECharts' aria component writes the description). */
export function Chart(props: { option: ChartOption; label: string; name: string; height?: number }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    const el = element.current!;
    chart.current = echarts.init(el, undefined, { renderer: 'svg' });
    const resize = new ResizeObserver(() => chart.current?.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ aria: { enabled: true }, animation: false, ...props.option }, true);
  }, [props.option]);
  return (
    <figure class="chart" data-chart={props.name}>
      <figcaption>{props.label}</figcaption>
      <div ref={element} role="img" aria-label={props.label} style={{ height: `${props.height ?? 280}px` }} />
    </figure>
  );
}
