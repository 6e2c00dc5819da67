namespace ZhSentiment.Tests;

/// <summary>Tests in this collection run alone, so that the memory they measure is their own.</summary>
[CollectionDefinition(nameof(Alone), DisableParallelization = true)]
public sealed class Alone;
