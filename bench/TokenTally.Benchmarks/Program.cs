using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using TokenTally.Benchmarks;

// In-process: no child build or process per benchmark, which this sandbox (and CI) need not support.
var config = DefaultConfig.Instance
    .AddJob(Job.Default
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithWarmupCount(4)
        .WithIterationCount(15))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(StatisticColumn.Median, StatisticColumn.Min, new EventsPerSecondColumn())
    .WithArtifactsPath(Path.Combine(RepositoryRoot.Find(), "artifacts", "benchmarks"));

BenchmarkSwitcher.FromAssembly(typeof(IngestionBenchmarks).Assembly).Run(args, config);
