// Offline checks of the deployment files, run by .ci/run after `npm ci` here:
// - every kustomization under deploy/ rendered with `kubectl kustomize` (the code `kubectl apply -k` runs), so
//   patches, name references and overlays are checked as kubectl would apply them; without kubectl this is skipped
//   with the reason printed;
// - every rendered object, and every file applied on its own (in no kustomization, e.g. the adapter rule), against the
//   Kubernetes API schema of its kind (kubernetes-models), unknown fields included; custom resources against their
//   project's CRD schema (@kubernetes-models/keda for KEDA's ScaledObject), and a kind with no schema here is a
//   problem, not a pass;
// - within each render: every autoscaler, PodDisruptionBudget and Service reaches a workload of that render; every
//   PersistentVolumeClaim, ConfigMap and Secret a pod mounts or reads is in the render or listed in the workload's
//   zhsenti/provided-by-user annotation (and nothing listed there is made by the render or unused); every Pods or
//   Object metric of an HPA is a name the Prometheus Adapter rule serves;
// - the Dockerfile with dockerfile-utils' validator (syntax, instructions, flags).
// Exits 1 with one line per problem.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";
import { validate as validateDockerfile } from "dockerfile-utils";

const root = join(fileURLToPath(import.meta.url), "..", "..", "..");
const kinds = {
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "v1/Service": "kubernetes-models/v1/Service",
  "v1/PersistentVolumeClaim": "kubernetes-models/v1/PersistentVolumeClaim",
  "autoscaling/v2/HorizontalPodAutoscaler": "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
  "batch/v1/Job": "kubernetes-models/batch/v1/Job",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "keda.sh/v1alpha1/ScaledObject": "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject",
};
const providedByUser = "zhsenti/provided-by-user";
const problems = [];
let checked = 0;

function yamlFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith(".yaml") ? [join(dir, e.name)] : []);
}

async function validate(where, object) {
  const key = `${object.apiVersion}/${object.kind}`;
  if (!kinds[key]) { problems.push(`${where}: no schema known here for ${key}`); return; }
  const { [object.kind]: Model } = await import(kinds[key]);
  try {
    new Model(object).validate();
    checked++;
  } catch (e) {
    problems.push(`${where}: ${object.kind} ${object.metadata?.name}: ${e.message}`);
  }
}

function loadAll(name, text) {
  const objects = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) problems.push(`${name}: ${doc.errors[0].message}`);
    else if (doc.contents !== null) objects.push(doc.toJS());
  }
  return objects;
}

// Files a kustomization reads (its resources and patches) are checked through its render; the rest are applied with
// `kubectl apply -f` and checked alone.
const files = yamlFiles(join(root, "deploy"));
const kustomizations = files.filter((f) => f.endsWith("/kustomization.yaml")).map(dirname);
const used = new Set();
for (const dir of kustomizations) {
  const k = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8"));
  for (const entry of [...(k.resources ?? []), ...(k.patches ?? []).map((p) => p.path).filter(Boolean)]) {
    const path = join(dir, entry);
    if (existsSync(path) && statSync(path).isFile()) used.add(path);
  }
}
const alone = files.filter((f) => !f.endsWith("/kustomization.yaml") && !used.has(f))
  .map((f) => ({ name: relative(root, f), objects: loadAll(relative(root, f), readFileSync(f, "utf8")) }));
for (const { name, objects } of alone) for (const o of objects) await validate(name, o);

const kubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });
const renders = [];
if (kubectl.error || kubectl.status !== 0) {
  console.log(`deploy lint: kubectl not found, so the ${kustomizations.length} kustomizations are not rendered or checked (.ci/run's machine image has it)`);
} else {
  for (const dir of kustomizations) {
    const name = relative(root, dir);
    const run = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
    if (run.status !== 0) { problems.push(`${name}: kubectl kustomize failed: ${run.stderr.trim()}`); continue; }
    const objects = loadAll(name, run.stdout);
    for (const o of objects) await validate(name, o);
    renders.push({ name, objects });
  }
}

// The names the Prometheus Adapter rules serve on the custom metrics API (a ConfigMap holding config.yaml's `rules`).
const served = new Set();
for (const { name, objects } of [...alone, ...renders]) {
  for (const o of objects.filter((o) => o.kind === "ConfigMap" && o.data?.["config.yaml"])) {
    for (const rule of parse(o.data["config.yaml"]).rules ?? []) {
      const series = rule.seriesQuery?.match(/__name__=~?"([\w|]+)"/)?.[1].split("|");
      if (!series) { problems.push(`${name}: adapter rule ${rule.seriesQuery}: no plain list of series names to check HPAs against`); continue; }
      const matches = new RegExp(rule.name?.matches ?? "^(.*)$");
      // The adapter's default `as` is the first capture group if there is one; its ${1} is JavaScript's $1.
      const as = (rule.name?.as || (matches.source.includes("(") ? "$1" : "$&")).replace(/\$\{(\d+)\}/g, "$$$1");
      for (const s of series) if (matches.test(s)) served.add(s.replace(matches, as));
    }
  }
}

const selects = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

for (const { name, objects } of renders) {
  const here = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
  const workloads = objects.filter((o) => o.spec?.template?.spec);
  const reaches = (kind, selector) => {
    if (!workloads.some((w) => selects(selector, w.spec.template.metadata?.labels)))
      problems.push(`${name}: ${kind} selector ${JSON.stringify(selector)} selects no workload of this render`);
  };

  for (const o of objects) {
    const ref = o.kind === "HorizontalPodAutoscaler" ? o.spec.scaleTargetRef
      : o.kind === "ScaledObject" ? { kind: "Deployment", ...o.spec.scaleTargetRef } : null;
    if (ref && !workloads.some((w) => w.kind === ref.kind && w.metadata.name === ref.name))
      problems.push(`${name}: ${o.kind} ${o.metadata.name} scales ${ref.kind}/${ref.name}, which this render does not make`);
    if (o.kind === "PodDisruptionBudget") {
      if (o.spec.selector?.matchExpressions) problems.push(`${name}: PodDisruptionBudget ${o.metadata.name}: matchExpressions are not checked here`);
      reaches(`PodDisruptionBudget ${o.metadata.name}`, o.spec.selector?.matchLabels);
    }
    if (o.kind === "Service" && o.spec.selector) reaches(`Service ${o.metadata.name}`, o.spec.selector);
    for (const metric of o.kind === "HorizontalPodAutoscaler" ? o.spec.metrics ?? [] : []) {
      const source = metric.pods ?? metric.object;
      if (source && !served.has(source.metric.name))
        problems.push(`${name}: HPA ${o.metadata.name} scales on ${source.metric.name}, which no Prometheus Adapter rule under deploy/ serves`);
    }
  }

  for (const w of workloads) {
    const pod = w.spec.template.spec;
    const refs = new Set();
    for (const v of pod.volumes ?? []) {
      if (v.persistentVolumeClaim) refs.add(`PersistentVolumeClaim/${v.persistentVolumeClaim.claimName}`);
      for (const s of [v, ...(v.projected?.sources ?? [])]) {
        if (s.configMap && !s.configMap.optional) refs.add(`ConfigMap/${s.configMap.name}`);
        if (s.secret && !s.secret.optional) refs.add(`Secret/${s.secret.secretName ?? s.secret.name}`);
      }
    }
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      for (const e of c.env ?? []) {
        const { configMapKeyRef: cm, secretKeyRef: secret } = e.valueFrom ?? {};
        if (cm && !cm.optional) refs.add(`ConfigMap/${cm.name}`);
        if (secret && !secret.optional) refs.add(`Secret/${secret.name}`);
      }
      for (const e of c.envFrom ?? []) {
        if (e.configMapRef && !e.configMapRef.optional) refs.add(`ConfigMap/${e.configMapRef.name}`);
        if (e.secretRef && !e.secretRef.optional) refs.add(`Secret/${e.secretRef.name}`);
      }
    }
    const listed = (w.metadata.annotations?.[providedByUser] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const what = `${name}: ${w.kind} ${w.metadata.name}`;
    for (const r of refs) if (!here.has(r) && !listed.includes(r))
      problems.push(`${what} uses ${r}, which this render does not make and ${providedByUser} does not list`);
    for (const l of listed) {
      if (here.has(l)) problems.push(`${what}: ${providedByUser} lists ${l}, which this render makes`);
      else if (!refs.has(l)) problems.push(`${what}: ${providedByUser} lists ${l}, which its pods do not use`);
    }
  }
}

const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
for (const d of validateDockerfile(dockerfile)) {
  problems.push(`Dockerfile:${d.range.start.line + 1}: ${d.message}`);
}

for (const p of problems) console.error(p);
console.log(`deploy lint: ${renders.length} of ${kustomizations.length} kustomizations rendered, ${checked} Kubernetes objects valid` +
  ` (${alone.length} of them in files applied on their own), Dockerfile ${problems.some((p) => p.startsWith("Dockerfile")) ? "has problems" : "clean"};` +
  ` ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
