#!/usr/bin/env node
// The `edgepilot` bin (`npx edgepilot flows pull --dir flows/`); everything else is in main.mjs.
import { main } from './main.mjs';

process.exitCode = await main(process.argv.slice(2), { env: process.env });
