/** Analytics read models (issue 6): calls per hour and ASR, durations, presence time-in-state, IM volume, conference attendance. */
export { callAnalyticsProjection, CALL_ANALYTICS_TABLES } from './call-analytics-projection.ts';
export { presenceAnalyticsProjection, PRESENCE_ANALYTICS_TABLES } from './presence-analytics-projection.ts';
export { imAnalyticsProjection, IM_ANALYTICS_TABLES } from './im-analytics-projection.ts';
export { conferenceAnalyticsProjection, CONFERENCE_ANALYTICS_TABLES } from './conference-analytics-projection.ts';
export * from './analytics-queries.ts';
