import type { DashboardReportQuery, DashboardReportSeriesQuery } from '../gql/graphql';
import { formatDate, formatNumber, type Language, type Messages } from '../i18n';
import type { ChartOption } from './chart';

type Report = DashboardReportQuery['report'];

// Colours that keep 3:1 contrast on white and stay apart for the common colour-vision deficiencies.
const BLUE = '#1f5fa8';
const ORANGE = '#c4561a';
const GREEN = '#2e7d32';

const numberAxis = (language: Language) => ({ type: 'value', axisLabel: { formatter: (v: number) => formatNumber(language, v) } });
const tooltip = (language: Language) => ({ trigger: 'axis', valueFormatter: (v: number) => formatNumber(language, v) });

/** Received vs resolved per day, week or month of the period (reportSeries). */
export function seriesOption(series: DashboardReportSeriesQuery['reportSeries'], t: Messages, language: Language): ChartOption {
  return {
    color: [BLUE, ORANGE],
    tooltip: tooltip(language),
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 32, bottom: 32 },
    xAxis: { type: 'category', data: series.map((s) => formatDate(language, s.from)) },
    yAxis: numberAxis(language),
    series: [
      { name: t.received, type: 'line', data: series.map((s) => s.received.total) },
      { name: t.resolved, type: 'line', data: series.map((s) => s.resolved?.total ?? null) },
    ],
  };
}

export function channelsOption(report: Report, t: Messages, language: Language): ChartOption {
  return {
    color: [BLUE, ORANGE, GREEN],
    tooltip: { trigger: 'item', valueFormatter: (v: number) => formatNumber(language, v) },
    legend: { top: 0 },
    series: [
      {
        name: t.chartChannels,
        type: 'pie',
        radius: ['30%', '55%'],
        top: 24,
        label: {
          overflow: 'none', formatter: (p: { name: string; value: number }) => `${p.name}: ${formatNumber(language, p.value)}` },
        data: [
          { name: t.online, value: report.received.online },
          { name: t.direct, value: report.received.direct },
          { name: t.postal, value: report.received.postal },
        ],
      },
    ],
  };
}

/** Received and resolved per department, side by side. */
export function departmentsOption(report: Report, t: Messages, language: Language): ChartOption {
  const rows = report.byDepartment;
  return {
    color: [BLUE, ORANGE],
    tooltip: tooltip(language),
    legend: { top: 0 },
    grid: { left: 64, right: 16, top: 32, bottom: 32 },
    xAxis: { type: 'category', data: rows.map((d) => d.department.code) },
    yAxis: numberAxis(language),
    series: [
      { name: t.received, type: 'bar', data: rows.map((d) => d.received.total) },
      { name: t.resolved, type: 'bar', data: rows.map((d) => d.resolved.total) },
    ],
  };
}

/** Each department's resolved dossiers split into early, on time and late, as shares. */
export function onTimeOption(report: Report, t: Messages, language: Language): ChartOption {
  const rows = report.byDepartment;
  const share = (part: number, whole: number) => (whole ? Math.round((part / whole) * 10_000) / 100 : 0);
  const percent = new Intl.NumberFormat(language === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 2 });
  return {
    color: [GREEN, BLUE, ORANGE],
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${percent.format(v)}%` },
    legend: { top: 0 },
    grid: { left: 64, right: 16, top: 32, bottom: 32 },
    xAxis: { type: 'category', data: rows.map((d) => d.department.code) },
    yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    series: (['early', 'onTime', 'late'] as const).map((key) => ({
      name: t[key],
      type: 'bar',
      stack: 'resolved',
      data: rows.map((d) => share(d.resolved[key], d.resolved.total)),
    })),
  };
}

