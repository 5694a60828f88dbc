export { BaresipUa, type BaresipUaOptions } from './baresip-ua.ts';
export { baresipAccountLine, baresipConfig, writeBaresipConfig, BaresipAccountSchema, type BaresipAccount, type BaresipConfigOptions } from './baresip-config.ts';
export { BaresipEventSchema, BaresipResponseSchema, type BaresipEvent, type BaresipResponse } from './baresip-messages.ts';
export { encodeNetstring, NetstringDecoder } from './netstring.ts';
