using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using ZhSentiment.Serving;

namespace ZhSentiment.Tests.Deploy;

/// <summary>
/// Every kustomization under deploy/ as <c>kubectl apply -k</c> would apply it (rendered by <c>kubectl kustomize</c>):
/// it renders, its objects reach each other, and its pods keep what the manifests promise. Skipped where kubectl is
/// not installed. (tools/deploy-lint checks the same renders against the API schemas in CI.)
/// </summary>
public class RenderedManifestTests
{
    /// <summary>Lists claims, ConfigMaps and Secrets a workload uses but leaves to the user (Kind/name, commas).</summary>
    private const string ProvidedByUser = "zhsenti/provided-by-user";

    public static TheoryData<string> Kustomizations() =>
        new(Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "deploy"), "kustomization.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(TestPaths.RepoRoot, Path.GetDirectoryName(f)!).Replace('\\', '/')).Order());

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task ObjectsReachWorkloadsOfTheSameRender(string kustomization)
    {
        var objects = await RenderAsync(kustomization);
        var workloads = objects.Where(o => o["spec"]?["template"]?["spec"] is not null).ToList();
        Assert.NotEmpty(workloads);
        var here = objects.Select(Id).ToHashSet();
        bool SelectsAWorkload(JsonNode? selector) =>
            workloads.Any(w => selector!.AsObject().All(l => Str(l.Value) == Str(w["spec"]!["template"]!["metadata"]!["labels"]![l.Key])));

        foreach (var o in objects)
        {
            var target = Str(o["kind"]) switch
            {
                "HorizontalPodAutoscaler" => $"{Str(o["spec"]!["scaleTargetRef"]!["kind"])}/{Str(o["spec"]!["scaleTargetRef"]!["name"])}",
                "ScaledObject" => $"{Str(o["spec"]!["scaleTargetRef"]!["kind"] ?? JsonValue.Create("Deployment"))}/{Str(o["spec"]!["scaleTargetRef"]!["name"])}",
                _ => null,
            };
            if (target is not null) Assert.Contains(target, workloads.Select(Id));
            if (Str(o["kind"]) == "PodDisruptionBudget") Assert.True(SelectsAWorkload(o["spec"]!["selector"]!["matchLabels"]), $"{Id(o)} selects no pod of {kustomization}");
            if (Str(o["kind"]) == "Service") Assert.True(SelectsAWorkload(o["spec"]!["selector"]), $"{Id(o)} selects no pod of {kustomization}");
        }

        foreach (var workload in workloads)
        {
            var pod = workload["spec"]!["template"]!["spec"]!;
            var containers = pod["containers"]!.AsArray().Concat(pod["initContainers"]?.AsArray() ?? []).ToList();
            var used = (pod["volumes"]?.AsArray() ?? new JsonArray()).SelectMany(v => new[]
            {
                v!["persistentVolumeClaim"] is { } claim ? $"PersistentVolumeClaim/{Str(claim["claimName"])}" : null,
                v["configMap"] is { } map ? $"ConfigMap/{Str(map["name"])}" : null,
                v["secret"] is { } secret ? $"Secret/{Str(secret["secretName"])}" : null,
            }).Concat(containers.SelectMany(c => (c!["env"]?.AsArray() ?? []).SelectMany(e => new[]
            {
                e!["valueFrom"]?["secretKeyRef"] is { } secret ? $"Secret/{Str(secret["name"])}" : null,
                e["valueFrom"]?["configMapKeyRef"] is { } map ? $"ConfigMap/{Str(map["name"])}" : null,
            }))).Concat(containers.SelectMany(c => (c!["envFrom"]?.AsArray() ?? []).SelectMany(e => new[]
            {
                e!["secretRef"] is { } secret ? $"Secret/{Str(secret["name"])}" : null,
                e["configMapRef"] is { } map ? $"ConfigMap/{Str(map["name"])}" : null,
            }))).OfType<string>().ToHashSet();
            var listed = (workload["metadata"]!["annotations"]?[ProvidedByUser] is { } a ? Str(a).Split(',', StringSplitOptions.TrimEntries) : []).ToHashSet();
            Assert.All(used, u => Assert.True(here.Contains(u) || listed.Contains(u), $"{Id(workload)} of {kustomization} uses {u}, made neither here nor listed in {ProvidedByUser}"));
            Assert.All(listed, l => Assert.True(used.Contains(l) && !here.Contains(l), $"{Id(workload)} of {kustomization} lists {l} as the user's, but it is {(here.Contains(l) ? "made here" : "not mounted")}"));
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task PodsRunAsNonRootOnAReadOnlyRootWithResources(string kustomization)
    {
        foreach (var workload in (await RenderAsync(kustomization)).Where(o => o["spec"]?["template"]?["spec"] is not null))
        {
            var pod = workload["spec"]!["template"]!["spec"]!;
            Assert.Equal("true", Str(pod["securityContext"]!["runAsNonRoot"]));
            Assert.Equal("false", Str(pod["automountServiceAccountToken"]));
            foreach (var container in pod["containers"]!.AsArray())
            {
                var security = container!["securityContext"]!;
                Assert.Equal(("true", "false", "ALL"), (Str(security["readOnlyRootFilesystem"]), Str(security["allowPrivilegeEscalation"]), Str(security["capabilities"]!["drop"]!.AsArray().Single())));
                var resources = container["resources"]!;
                Assert.All(new[] { resources["requests"]!["cpu"], resources["requests"]!["memory"], resources["limits"]!["memory"] }, r => Assert.NotNull(r));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task ServingPodsProbeHealthAndReadyAndOutliveTheirDrain(string kustomization)
    {
        foreach (var deployment in (await RenderAsync(kustomization)).Where(o => Str(o["kind"]) == "Deployment"))
        {
            var pod = deployment["spec"]!["template"]!["spec"]!;
            var container = pod["containers"]!.AsArray().Single()!;
            var port = Str(container["ports"]!.AsArray().Single()!["name"]);
            foreach (var (probe, path) in new[] { ("startupProbe", "/ready"), ("readinessProbe", "/ready"), ("livenessProbe", "/health") })
                Assert.Equal((path, port), (Str(container[probe]!["httpGet"]!["path"]), Str(container[probe]!["httpGet"]!["port"])));

            // ONNX Runtime's threads match the CPU the pod asks for, which is what the CPU autoscaler measures against.
            Assert.Equal(Str(container["resources"]!["requests"]!["cpu"]), Str(container["env"]!.AsArray().Single(e => Str(e!["name"]) == "ZhSentiment__Threads")!["value"]));

            // SIGTERM comes after the preStop pause; a request already running may then take the whole request timeout.
            var drain = int.Parse(Str(container["lifecycle"]!["preStop"]!["sleep"]!["seconds"])) + new ServiceOptions().RequestTimeoutSeconds;
            Assert.True(int.Parse(Str(pod["terminationGracePeriodSeconds"])) > drain, $"{kustomization}: the grace period must exceed the {drain} s drain");
        }
    }

    [Theory]
    [InlineData("deploy/kubernetes/overlays/structbert")]
    [InlineData("deploy/kubernetes/overlays/prometheus-adapter")]
    [InlineData("deploy/kubernetes/overlays/keda")]
    public async Task StructBertOverlaysServeTheModelFromTheClaimAndKeepTheCache(string kustomization)
    {
        var objects = await RenderAsync(kustomization);
        var pod = objects.Single(o => Str(o["kind"]) == "Deployment")["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]!.AsArray().Single()!;
        string Env(string name) => Str(container["env"]!.AsArray().Single(e => Str(e!["name"]) == name)!["value"]);
        JsonNode MountAt(string path) => container["volumeMounts"]!.AsArray().Single(m => path.StartsWith(Str(m!["mountPath"]), StringComparison.Ordinal))!;
        JsonNode VolumeAt(string path) => pod["volumes"]!.AsArray().Single(v => Str(v!["name"]) == Str(MountAt(path)["name"]))!;

        var model = Env("ZhSentiment__Model");
        var claim = VolumeAt(model)["persistentVolumeClaim"]!;
        Assert.Equal(("true", "true"), (Str(MountAt(model)["readOnly"]), Str(claim["readOnly"])));
        Assert.Contains($"PersistentVolumeClaim/{Str(claim["claimName"])}", objects.Select(Id));
        Assert.NotNull(VolumeAt(Env("ZHSENTI_CACHE"))["emptyDir"]); // the patch adds the model volume beside the cache
        Assert.Equal("1Gi", Str(container["resources"]!["requests"]!["memory"]));
    }

    [Fact]
    public async Task TheTwoModelOverlayServesTwoNamedModelsWithTheAdminKeyFromTheUsersSecret()
    {
        var objects = await RenderAsync("deploy/kubernetes/overlays/two-models");
        var deployment = objects.Single(o => Str(o["kind"]) == "Deployment");
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;
        var env = container["env"]!.AsArray().ToList();
        var admin = env.Single(e => Str(e!["name"]) == "ZhSentiment__AdminKey")!["valueFrom"]!["secretKeyRef"]!;
        Assert.Equal($"Secret/{Str(admin["name"])}", Str(deployment["metadata"]!["annotations"]![ProvidedByUser]));

        // The settings as the service reads them: valid, two models within the pod's CPUs, the second on the claim.
        var settings = env.Where(e => e!["value"] is not null).ToDictionary(e => Str(e!["name"]).Replace("__", ":", StringComparison.Ordinal), e => (string?)Str(e!["value"]));
        settings["ZhSentiment:AdminKey"] = "from-the-secret";
        var options = new ConfigurationBuilder().AddInMemoryCollection(settings).Build()
            .GetSection(ServiceOptions.Section).Get<ServiceOptions>()!;
        Assert.True(new ServiceOptionsValidator().Validate(null, options).Succeeded);
        var specs = options.ModelSpecs();
        Assert.Equal(["default", "structbert"], specs.Select(m => m.Name));
        Assert.Equal(int.Parse(Str(container["resources"]!["requests"]!["cpu"])), specs.Sum(m => m.Load.Threads));
        Assert.Contains(container["volumeMounts"]!.AsArray(), m => specs[1].Source!.StartsWith(Str(m!["mountPath"]), StringComparison.Ordinal));
    }

    [Fact]
    public async Task QueueAutoscalersReplaceTheCpuTargetWithTheAdapterRulesMetrics()
    {
        var adapter = (await RenderAsync("deploy/kubernetes/overlays/prometheus-adapter")).Single(o => Str(o["kind"]) == "HorizontalPodAutoscaler");
        var metrics = adapter["spec"]!["metrics"]!.AsArray();
        Assert.All(metrics, m => Assert.Equal("Pods", Str(m!["type"])));
        // The rule serves each series under its own name (matches ^(.*)$ as ${1}), so a name it serves is one it lists.
        var rule = Json(Str(Json(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "deploy", "kubernetes", "overlays", "prometheus-adapter", "adapter-config.yaml")))["data"]!["config.yaml"]))["rules"]!.AsArray().Single()!;
        Assert.Equal(("^(.*)$", "${1}"), (Str(rule["name"]!["matches"]), Str(rule["name"]!["as"])));
        var series = System.Text.RegularExpressions.Regex.Match(Str(rule["seriesQuery"]), "__name__=~\"([^\"]+)\"").Groups[1].Value.Split('|');
        Assert.Equal(series.Order(), metrics.Select(m => Str(m!["pods"]!["metric"]!["name"])).Order());

        var keda = await RenderAsync("deploy/kubernetes/overlays/keda");
        Assert.DoesNotContain(keda, o => Str(o["kind"]) == "HorizontalPodAutoscaler"); // KEDA makes its own
        Assert.Single(keda, o => Str(o["kind"]) == "ScaledObject");
    }

    private static string Id(JsonNode o) => $"{Str(o["kind"])}/{Str(o["metadata"]!["name"])}";

    private static string Str(JsonNode? node) => node?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException("missing value");

    private static JsonNode Json(string yaml) =>
        JsonNode.Parse(new SerializerBuilder().JsonCompatible().Build().Serialize(new DeserializerBuilder().Build().Deserialize<object>(yaml)))!;

    /// <summary>The objects <c>kubectl kustomize</c> renders from <paramref name="kustomization"/> (relative to the repository).</summary>
    private static async Task<List<JsonNode>> RenderAsync(string kustomization)
    {
        var kubectl = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "kubectl")).FirstOrDefault(File.Exists);
        if (kubectl is null) Assert.Skip("kubectl is not installed (CI's machine image has it; it renders the kustomizations)");

        var info = new ProcessStartInfo(kubectl, ["kustomize", Path.Combine(TestPaths.RepoRoot, kustomization)])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var ct = TestContext.Current.CancellationToken;
        var (stdout, stderr) = (process.StandardOutput.ReadToEndAsync(ct), process.StandardError.ReadToEndAsync(ct));
        await process.WaitForExitAsync(ct);
        Assert.True(process.ExitCode == 0, $"kubectl kustomize {kustomization} failed: {await stderr}");

        var parser = new Parser(new StringReader(await stdout));
        parser.Consume<StreamStart>();
        var deserializer = new DeserializerBuilder().Build();
        var json = new SerializerBuilder().JsonCompatible().Build();
        var objects = new List<JsonNode>();
        while (parser.Accept<DocumentStart>(out _))
            objects.Add(JsonNode.Parse(json.Serialize(deserializer.Deserialize<object>(parser)))!);
        return objects;
    }
}
