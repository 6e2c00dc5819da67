using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Serialization;
using ZhSentiment.Scoring;
using ZhSentiment.Serving;
using ZhSentiment.Tests.Serving;

namespace ZhSentiment.Tests.Deploy;

/// <summary>
/// The deployment files agree with each other and with the service: selectors, ports, probe routes, the writable cache,
/// the autoscalers' metrics and targets, the scoring Job's shards and merge, read from the files. (What kubectl renders
/// from them, the StructBERT model volume included, is checked by <see cref="RenderedManifestTests"/>, each rendered
/// object's schema by tools/deploy-lint in CI.)
/// </summary>
public partial class ManifestTests
{
    private static readonly string Kubernetes = Path.Combine(TestPaths.RepoRoot, "deploy", "kubernetes");

    private static JsonNode Load(params string[] path)
    {
        var yaml = new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(Path.Combine([Kubernetes, .. path])));
        return JsonNode.Parse(new SerializerBuilder().JsonCompatible().Build().Serialize(yaml))!;
    }

    private static string Str(JsonNode? node) => node?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException("missing value");

    private static Dictionary<string, string> Map(JsonNode? node) =>
        node!.AsObject().ToDictionary(p => p.Key, p => Str(p.Value));

    private static JsonNode Container(JsonNode deployment) => deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;

    private static string Env(JsonNode container, string name) =>
        Str(container["env"]!.AsArray().Single(e => Str(e!["name"]) == name)!["value"]);

    [Fact]
    public void KustomizationListsEveryFileAndTheKindsAreThere()
    {
        var listed = Load("base", "kustomization.yaml")["resources"]!.AsArray().Select(Str).Order().ToArray();
        var present = Directory.GetFiles(Path.Combine(Kubernetes, "base"), "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order().ToArray();
        Assert.Equal(present, listed);
        Assert.Equal(["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service"], listed.Select(f => Str(Load("base", f!)["kind"])).Order());
    }

    [Fact]
    public void SelectorsReachThePods()
    {
        var deployment = Load("base", "deployment.yaml");
        var podLabels = Map(deployment["spec"]!["template"]!["metadata"]!["labels"]);
        void Selects(Dictionary<string, string> selector) => Assert.All(selector, l => Assert.Equal(l.Value, podLabels.GetValueOrDefault(l.Key)));
        Selects(Map(deployment["spec"]!["selector"]!["matchLabels"]));
        Selects(Map(Load("base", "service.yaml")["spec"]!["selector"]));
        Selects(Map(Load("base", "pdb.yaml")["spec"]!["selector"]!["matchLabels"]));

        var target = Load("base", "hpa.yaml")["spec"]!["scaleTargetRef"]!;
        Assert.Equal(("Deployment", Str(deployment["metadata"]!["name"])), (Str(target["kind"]), Str(target["name"])));
        Assert.True(int.Parse(Str(Load("base", "hpa.yaml")["spec"]!["minReplicas"])) > int.Parse(Str(Load("base", "pdb.yaml")["spec"]!["minAvailable"])),
            "with minReplicas not above minAvailable, a node drain could never evict a pod");
    }

    [Fact]
    public void PortsAndProbesMatchTheService()
    {
        var container = Container(Load("base", "deployment.yaml"));
        var port = container["ports"]!.AsArray().Single()!;
        Assert.Equal(Str(port["containerPort"]), Env(container, "ASPNETCORE_HTTP_PORTS"));
        Assert.Equal(Str(port["name"]), Str(Load("base", "service.yaml")["spec"]!["ports"]!.AsArray().Single()!["targetPort"]));

        foreach (var (probe, path) in new[] { ("startupProbe", "/ready"), ("readinessProbe", "/ready"), ("livenessProbe", "/health") })
        {
            var get = container[probe]!["httpGet"]!;
            Assert.Equal(path, Str(get["path"]));
            Assert.Equal(Str(port["name"]), Str(get["port"]));
            Assert.Contains(path, HealthEndpoints.OpenPaths); // answered without the API key
        }
    }

    [Fact]
    public void RunsAsNonRootOnAReadOnlyRootWithTheCacheOnAVolume()
    {
        var deployment = Load("base", "deployment.yaml");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = Container(deployment);
        Assert.Equal("true", Str(pod["securityContext"]!["runAsNonRoot"]));
        Assert.Equal("true", Str(container["securityContext"]!["readOnlyRootFilesystem"]));
        Assert.Equal("false", Str(container["securityContext"]!["allowPrivilegeEscalation"]));

        var cache = Env(container, "ZHSENTI_CACHE");
        var mount = container["volumeMounts"]!.AsArray().Single(m => cache.StartsWith(Str(m!["mountPath"]), StringComparison.Ordinal))!;
        var volume = pod["volumes"]!.AsArray().Single(v => Str(v!["name"]) == Str(mount["name"]))!;
        Assert.NotNull(volume["emptyDir"]);

        // ONNX Runtime's threads match the CPU the pod asks for, which is what the autoscaler measures against.
        Assert.Equal(Str(container["resources"]!["requests"]!["cpu"]), Env(container, "ZhSentiment__Threads"));
        Assert.NotNull(container["resources"]!["limits"]!["memory"]);
    }

    [Fact]
    public void DockerfileMatchesTheDeployment()
    {
        var lines = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "Dockerfile")).Where(l => !l.TrimStart().StartsWith('#')).ToArray();
        // Base images are build arguments; their defaults are what a plain `docker build` uses.
        var arguments = lines.Where(l => l.StartsWith("ARG ", StringComparison.Ordinal) && l.Contains('='))
            .Select(l => l[4..].Split('=', 2)).ToDictionary(a => "${" + a[0] + "}", a => a[1]);
        var from = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal))
            .Select(l => arguments.Aggregate(l, (line, a) => line.Replace(a.Key, a.Value, StringComparison.Ordinal))).ToArray();
        Assert.True(from.Length >= 2, "multi-stage: build in the SDK image, run on a small one");
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/runtime-deps:", from[^1]);

        var final = lines[Array.FindLastIndex(lines, l => l.StartsWith("FROM ", StringComparison.Ordinal))..];
        string Instruction(string name) => final.Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..];
        Assert.Equal("$APP_UID", Instruction("USER"));
        Assert.Equal("""["/app/zhsenti", "serve"]""", Instruction("ENTRYPOINT"));
        Assert.EndsWith("""CMD ["/app/zhsenti", "health"]""", Instruction("HEALTHCHECK"));

        var container = Container(Load("base", "deployment.yaml"));
        var port = Str(container["ports"]!.AsArray().Single()!["containerPort"]);
        Assert.Equal(port, Instruction("EXPOSE"));
        Assert.Equal(port, HttpPorts().Match(string.Join('\n', final)).Groups[1].Value);
        Assert.Matches(@"ZHSENTI_CACHE=/tmp/", string.Join('\n', final));
    }

    [Fact]
    public void ScoreJobShardsAreTheOnesItsMergeJobMerges()
    {
        var kustomization = Load("overlays", "score-job", "kustomization.yaml")["resources"]!.AsArray().Select(Str).ToArray();
        Assert.Equal(["pvc.yaml", "job.yaml"], kustomization); // the merge runs only once the shards are complete
        var job = Load("overlays", "score-job", "job.yaml");
        var merge = Load("overlays", "score-merge", "merge-job.yaml");
        var claim = Str(Load("overlays", "score-job", "pvc.yaml")["metadata"]!["name"]);

        Assert.Equal("Indexed", Str(job["spec"]!["completionMode"]));
        int count = int.Parse(Str(job["spec"]!["completions"]));
        Assert.InRange(int.Parse(Str(job["spec"]!["parallelism"])), 1, count);
        var shard = Container(job);
        Assert.Equal(count.ToString(), Env(shard, ScoreShard.CountVariable));
        var args = shard["args"]!.AsArray().Select(Str).ToList();
        string After(List<string> list, string flag) => list[list.IndexOf(flag) + 1];
        Assert.Equal(["score", "auto"], [args[0], After(args, "--shard")]);
        Assert.Contains("--resume", args); // a retried index carries on from its predecessor's rows
        var output = After(args, "--output");

        var mergeArgs = Container(merge)["args"]!.AsArray().Select(Str).ToList();
        var parts = mergeArgs.Skip(mergeArgs.IndexOf("--merge") + 1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, count).Select(i => new ScoreShard(i, count).PartPath(output)), parts);
        Assert.Equal(output, After(mergeArgs, "--output"));

        var entrypoint = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "Dockerfile")).Single(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal));
        foreach (var (pod, files) in new[] { (job, new[] { After(args, "--input"), output }), (merge, new[] { output }) })
        {
            var container = Container(pod);
            Assert.Contains($"[\"{Str(container["command"]!.AsArray().Single())}\"", entrypoint);
            Assert.Equal("true", Str(container["securityContext"]!["readOnlyRootFilesystem"]));
            Assert.Equal("true", Str(pod["spec"]!["template"]!["spec"]!["securityContext"]!["runAsNonRoot"]));
            var volume = pod["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().Single(v => v!["persistentVolumeClaim"] is not null)!;
            Assert.Equal(claim, Str(volume["persistentVolumeClaim"]!["claimName"]));
            var mount = Str(container["volumeMounts"]!.AsArray().Single(m => Str(m!["name"]) == Str(volume["name"]))!["mountPath"]);
            Assert.All(files, f => Assert.StartsWith(mount + "/", f));
        }
    }

    [Fact]
    public async Task QueueAutoscalersScaleTheDeploymentOnGaugesTheServiceExports()
    {
        var deployment = Str(Load("base", "deployment.yaml")["metadata"]!["name"]);
        var hpa = Load("base", "hpa.yaml");

        // Prometheus Adapter: the CPU target of hpa.yaml replaced, the adapter's rule serving every metric it names.
        var adapter = Load("overlays", "prometheus-adapter", "kustomization.yaml")["patches"]!.AsArray().Single()!;
        Assert.Equal((Str(hpa["kind"]), Str(hpa["metadata"]!["name"])), (Str(adapter["target"]!["kind"]), Str(adapter["target"]!["name"])));
        var replace = Load("overlays", "prometheus-adapter", Str(adapter["path"])).AsArray().Single()!;
        Assert.Equal(("replace", "/spec/metrics"), (Str(replace["op"]), Str(replace["path"])));
        var targets = replace["value"]!.AsArray().ToDictionary(m => Str(m!["pods"]!["metric"]!["name"]), m => Quantity(Str(m!["pods"]!["target"]!["averageValue"])));
        var rules = new DeserializerBuilder().Build().Deserialize<object>(Str(Load("overlays", "prometheus-adapter", "adapter-config.yaml")["data"]!["config.yaml"]));
        var seriesQuery = Str(JsonNode.Parse(new SerializerBuilder().JsonCompatible().Build().Serialize(rules))!["rules"]!.AsArray().Single()!["seriesQuery"]);
        Assert.All(targets.Keys, name => Assert.Contains(name, seriesQuery));

        // KEDA: the same deployment, bounds and targets, and no CPU autoscaler left to fight it.
        var keda = Load("overlays", "keda", "scaledobject.yaml")["spec"]!;
        Assert.Equal(deployment, Str(keda["scaleTargetRef"]!["name"]));
        Assert.Equal((Str(hpa["spec"]!["minReplicas"]), Str(hpa["spec"]!["maxReplicas"])), (Str(keda["minReplicaCount"]), Str(keda["maxReplicaCount"])));
        var removed = Load("overlays", "keda", Str(Load("overlays", "keda", "kustomization.yaml")["patches"]!.AsArray().Single()!["path"]));
        Assert.Equal(("delete", Str(hpa["kind"]), Str(hpa["metadata"]!["name"])), (Str(removed["$patch"]), Str(removed["kind"]), Str(removed["metadata"]!["name"])));
        var triggers = keda["triggers"]!.AsArray().ToDictionary(t => Metric().Match(Str(t!["metadata"]!["query"])).Value, t => double.Parse(Str(t!["metadata"]!["threshold"]), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(targets.OrderBy(t => t.Key), triggers.OrderBy(t => t.Key));

        await using var service = await TestService.StartAsync();
        var metrics = await service.Client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.All(targets.Keys, name => Assert.Contains($"# TYPE {name} gauge", metrics));
    }

    /// <summary>A Kubernetes quantity: "6", "100m".</summary>
    private static double Quantity(string value) =>
        value.EndsWith('m') ? double.Parse(value[..^1], System.Globalization.CultureInfo.InvariantCulture) / 1000 : double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"zhsenti_\w+")]
    private static partial Regex Metric();

    [GeneratedRegex(@"ASPNETCORE_HTTP_PORTS=(\d+)")]
    private static partial Regex HttpPorts();
}
