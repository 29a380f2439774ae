namespace TokenTally.Demo;

/// <summary>What the demo traffic has sent so far, and whether the back-fill is done (for logs and tests).</summary>
internal sealed class DemoProgress
{
    private readonly TaskCompletionSource _backfilled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sent;
    private long _created;
    private long _updated;
    private long _duplicates;
    private long _rejected;
    private long _unpriced;
    private long _failedBatches;
    private long _live;

    /// <summary>Completes when the history is stored; faults when the demo could not start.</summary>
    public Task Backfilled => _backfilled.Task;

    public long Sent => Interlocked.Read(ref _sent);

    public long Created => Interlocked.Read(ref _created);

    public long Updated => Interlocked.Read(ref _updated);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long Rejected => Interlocked.Read(ref _rejected);

    public long Unpriced => Interlocked.Read(ref _unpriced);

    public long FailedBatches => Interlocked.Read(ref _failedBatches);

    /// <summary>Live calls accepted after the back-fill.</summary>
    public long Live => Interlocked.Read(ref _live);

    public void Record(int sent, int created, int updated, int duplicates, int rejected, int unpriced, bool live)
    {
        Interlocked.Add(ref _sent, sent);
        Interlocked.Add(ref _created, created);
        Interlocked.Add(ref _updated, updated);
        Interlocked.Add(ref _duplicates, duplicates);
        Interlocked.Add(ref _rejected, rejected);
        Interlocked.Add(ref _unpriced, unpriced);
        if (live)
        {
            Interlocked.Add(ref _live, created + updated + duplicates);
        }
    }

    /// <summary>Calls handed to an Event Hub: sent, and live when after the back-fill; what the app made of them is not known here.</summary>
    public void RecordPublished(int published, bool live)
    {
        Interlocked.Add(ref _sent, published);
        if (live)
        {
            Interlocked.Add(ref _live, published);
        }
    }

    public void RecordFailedBatch() => Interlocked.Increment(ref _failedBatches);

    public void BackfillDone() => _backfilled.TrySetResult();

    public void BackfillFailed(Exception error) => _backfilled.TrySetException(error);
}
