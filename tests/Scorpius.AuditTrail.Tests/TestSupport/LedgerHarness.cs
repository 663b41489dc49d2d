using Microsoft.Extensions.Options;
using Scorpius.AuditTrail.Ledger;
using Scorpius.AuditTrail.Signing;
using Scorpius.AuditTrail.Storage;
using Scorpius.AuditTrail.Verification;
using Scorpius.Contracts;
using Scorpius.Ledger.Notes;
using Scorpius.Testing.Sidecar;

namespace Scorpius.AuditTrail.Tests.TestSupport;

/// <summary>
/// The ledger's parts wired as the service wires them, over one store, with the signing key in a fake Dapr sidecar's
/// secret store (read through the real Dapr SDK). Several harnesses over the same database act as several instances.
/// </summary>
internal sealed class LedgerHarness : IAsyncDisposable
{
    public const string Origin = "test.scorpius.dev/audit";
    private readonly Dapr.Client.DaprClient dapr;

    public LedgerHarness(ILedgerStore store, FakeDaprSidecar sidecar, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        Store = store;
        Options = Microsoft.Extensions.Options.Options.Create(new AuditTrailOptions { Origin = Origin, SigningKeyRefresh = TimeSpan.Zero });
        dapr = sidecar.CreateClient();
        Ledger = new AuditLedger(store, time);
        Keys = new SigningKeyProvider(dapr, Options, time);
        Checkpointer = new Checkpointer(Ledger, Keys, Options, time);
        Exporter = new BundleExporter(Ledger, Checkpointer, Options, time);
        Verifier = new LedgerVerifier(store, Options, time);
    }

    public ILedgerStore Store { get; }
    public IOptions<AuditTrailOptions> Options { get; }
    public AuditLedger Ledger { get; }
    public SigningKeyProvider Keys { get; }
    public Checkpointer Checkpointer { get; }
    public BundleExporter Exporter { get; }
    public LedgerVerifier Verifier { get; }

    /// <summary>Puts a fresh signing key into the sidecar's secret store (as an operator rotating it would); returns it.</summary>
    public static NoteSigner SetSigningKey(FakeDaprSidecar sidecar)
    {
        var signer = NoteSigner.Generate(Origin);
        sidecar.SetSecret(DaprNames.SecretStore, "audit-trail", new Dictionary<string, string> { ["checkpointSigningKey"] = signer.ExportSeed() });
        return signer;
    }

    public async ValueTask DisposeAsync()
    {
        Keys.Dispose();
        dapr.Dispose();
        await Store.DisposeAsync();
    }
}
