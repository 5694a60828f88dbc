#!/usr/bin/env node
// Launcher for `chorus` (npx chorus / npm exec chorus) that needs no build step:
// registers tsx's ESM loader in this process, then loads the TypeScript CLI.
// In-process rather than a child process, so signals (Ctrl-C on `chorus serve`)
// and the exit code need no forwarding.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
