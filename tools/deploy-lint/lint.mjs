// Offline checks of the deployment files, run by .ci/run after `npm ci` here:
// - every object in deploy/kubernetes/**/*.yaml (kustomization files and patches aside) against the Kubernetes API
//   schema of its kind (kubernetes-models), unknown fields included; custom resources against their project's CRD
//   schema (@kubernetes-models/keda for KEDA's ScaledObject), and a kind with no schema here is a problem, not a pass;
// - the Dockerfile with dockerfile-utils' validator (syntax, instructions, flags).
// Exits 1 with one line per problem.
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
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
// Files that are not whole API objects: kustomize's own, and the strategic-merge patches they list.
const notObjects = new Set(["kustomization.yaml"]);
const problems = [];
let checked = 0;

function yamlFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith(".yaml") ? [join(dir, e.name)] : []);
}

const manifests = yamlFiles(join(root, "deploy", "kubernetes"));
for (const file of manifests.filter((f) => f.endsWith("kustomization.yaml"))) {
  for (const patch of parseAllDocuments(readFileSync(file, "utf8"))[0].toJS().patches ?? [])
    notObjects.add(relative(root, join(file, "..", patch.path)));
}
for (const file of manifests) {
  const name = relative(root, file);
  if (notObjects.has(name) || notObjects.has(name.split("/").pop())) continue;
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) { problems.push(`${name}: ${doc.errors[0].message}`); continue; }
    const object = doc.toJS();
    const key = `${object.apiVersion}/${object.kind}`;
    if (!kinds[key]) { problems.push(`${name}: no schema known here for ${key}`); continue; }
    const { [object.kind]: Model } = await import(kinds[key]);
    try {
      new Model(object).validate();
      checked++;
    } catch (e) {
      problems.push(`${name}: ${object.kind} ${object.metadata?.name}: ${e.message}`);
    }
  }
}

const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
for (const d of validateDockerfile(dockerfile)) {
  problems.push(`Dockerfile:${d.range.start.line + 1}: ${d.message}`);
}

for (const p of problems) console.error(p);
console.log(`deploy lint: ${checked} Kubernetes objects valid, Dockerfile ${problems.some((p) => p.startsWith("Dockerfile")) ? "has problems" : "clean"}; ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
