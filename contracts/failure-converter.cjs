/**
 * The failure converter of every factory worker, client and workflow bundle: failure messages and stack traces
 * go into the failure's encoded attributes, so the payload codec (workers/payload-codec.ts) encrypts them
 * with the payloads. CommonJS and plain JavaScript because the Temporal SDK `require()`s it by path
 * (DataConverter.failureConverterPath) in clients and workers, and bundles it into the workflow sandbox.
 * https://docs.temporal.io/encyclopedia/data-conversion/failure-converter
 */
'use strict';
/* global require, exports */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose (see above)
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
