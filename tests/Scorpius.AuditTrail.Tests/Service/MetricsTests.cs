using System.Diagnostics.Metrics;
using Scorpius.AuditTrail.Tests.TestSupport;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults;

namespace Scorpius.AuditTrail.Tests.Service;

/// <summary>Instruments are process-wide, so these tests run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial";
}

/// <summary>The ledger's instruments on the Scorpius meter.</summary>
[Collection(SerialCollection.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task Appends_batches_and_verification_runs_are_measured()
    {
        using var appended = new Recorded("scorpius.audit.entries.appended");
        using var batches = new Recorded("scorpius.audit.batch.size");
        using var verifications = new Recorded("scorpius.audit.verifications");
        await using var app = await AuditTrailApp.StartAsync();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(n =>
            app.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.AuditTrailId, DaprNames.PubSub, DaprNames.Topics.Audit, TestEvents.CloudEvent(n))));
        await app.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.AuditTrailId, DaprNames.PubSub, DaprNames.Topics.Audit, TestEvents.CloudEvent(7)); // a redelivery
        await app.Client.PostAsync("/v1/verification", null);

        Assert.Equal(200, appended.Sum);
        Assert.Equal(201, batches.Sum); // every delivery was in exactly one committed batch
        Assert.InRange(batches.Count, 2, 201);
        Assert.Equal(1, verifications.Count);
        Assert.Equal(["consistent"], verifications.Tags);
    }

    private sealed class Recorded : IDisposable
    {
        private readonly MeterListener listener = new();
        private long sum, count;

        public Recorded(string instrument)
        {
            listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == ScorpiusTelemetry.MeterName && i.Name == instrument) l.EnableMeasurementEvents(i); };
            listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Add(value, tags));
            listener.SetMeasurementEventCallback<int>((_, value, tags, _) => Add(value, tags));
            listener.Start();
        }

        public long Sum => Interlocked.Read(ref sum);
        public long Count => Interlocked.Read(ref count);
        public List<string> Tags { get; } = [];

        private void Add(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            Interlocked.Add(ref sum, value);
            Interlocked.Increment(ref count);
            foreach (var tag in tags) lock (Tags) Tags.Add($"{tag.Value}");
        }

        public void Dispose() => listener.Dispose();
    }
}
