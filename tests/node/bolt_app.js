// A minimal @slack/bolt app in Socket Mode: one `message` listener that does nothing (Bolt acks
// Events API envelopes itself, before the listeners run). The Bolt side of bench_slack_events.
// A Bolt App holds one Socket Mode connection, so BOLT_CONNECTIONS apps run in this process, the
// way one would run that many replicas, each with its own socket.
//
// Environment: SLACK_API_URL (the emulator's http://127.0.0.1:P/api/), SLACK_BOT_TOKEN,
// SLACK_APP_TOKEN, BOLT_CONNECTIONS (default 2). Prints {"ready":true,"connections":N} once every
// app has started; stops cleanly on SIGTERM or SIGINT. Exit 1 when an app cannot start.
'use strict';

const { App, LogLevel } = require('@slack/bolt');

function need(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`bolt_app: ${name} is not set`);
    process.exit(1);
  }
  return v;
}

const slackApiUrl = need('SLACK_API_URL');
const token = need('SLACK_BOT_TOKEN');
const appToken = need('SLACK_APP_TOKEN');
const connections = Number(process.env.BOLT_CONNECTIONS || 2);
if (!Number.isInteger(connections) || connections < 1 || connections > 10) {
  console.error('bolt_app: BOLT_CONNECTIONS must be 1..10');
  process.exit(1);
}

const apps = [];
for (let i = 0; i < connections; i += 1) {
  const app = new App({ token, appToken, socketMode: true, clientOptions: { slackApiUrl }, logLevel: LogLevel.ERROR });
  app.event('message', async () => {});
  apps.push(app);
}

async function stop() {
  await Promise.allSettled(apps.map((a) => a.stop()));
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

Promise.all(apps.map((a) => a.start())).then(
  () => console.log(JSON.stringify({ ready: true, connections })),
  (e) => {
    console.error(`bolt_app: start failed: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  },
);
