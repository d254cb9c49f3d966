// One node process that makes one HTTPS request (node's own OpenSSL, linked into the node
// executable) when it gets SIGUSR1, and keeps its connection open until killed. Prints the path
// once answered.
// usage: node node_https.js PORT PATH
'use strict';
const https = require('https');
const [port, path] = process.argv.slice(2);
const agent = new https.Agent({ keepAlive: true });

process.on('SIGUSR1', () => {
  https.get({ host: '127.0.0.1', port, path, agent, rejectUnauthorized: false }, (res) => {
    res.resume();
    res.on('end', () => console.log(path));
  }).on('error', (e) => console.log('error ' + e.message));
});
console.log('ready');
setInterval(() => {}, 1000);
