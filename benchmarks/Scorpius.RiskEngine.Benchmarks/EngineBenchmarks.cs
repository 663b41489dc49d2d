using BenchmarkDotNet.Attributes;
using Scorpius.RiskEngine.Intel;

namespace Scorpius.RiskEngine.Benchmarks;

/// <summary>
/// One assessment per request kind, with all bundled intelligence loaded, against the floor: Nethereum decoding the
/// same raw transaction (and recovering its sender) without any assessment.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private RiskAssessor engine = null!;
    private string approve = "", multicallSafe = "", typedPermit = "", seaport = "", raw = "", address = "", domain = "", poisoning = "";

    [GlobalSetup]
    public void Setup()
    {
        engine = new RiskAssessor(BundledThreatIntel.Load());
        approve = Corpus.ById("approve-unknown-unlimited");
        multicallSafe = Corpus.ById("safe-delegatecall-unknown");
        typedPermit = Corpus.ById("permit-signature-no-expiry");
        seaport = Corpus.ById("seaport-order-for-nothing");
        raw = Corpus.ById("raw-eip155-transfer");
        address = Corpus.ById("address-sanctioned");
        domain = Corpus.ById("domain-lookalike");
        poisoning = Corpus.ById("transfer-to-lookalike");
    }

    [Benchmark(Description = "floor: Nethereum decode only")]
    public object NethereumDecodeOnly() => Nethereum.Model.TransactionFactory.CreateTransaction("0x" + Corpus.RawEip155);

    [Benchmark(Baseline = true, Description = "floor: Nethereum decode + recover sender")]
    public string NethereumDecode()
    {
        return Nethereum.Signer.TransactionVerificationAndRecovery.GetSenderAddress("0x" + Corpus.RawEip155);
    }

    [Benchmark(Description = "raw signed tx (full assessment)")] public object Raw() => engine.AssessJson(raw);
    [Benchmark(Description = "transaction: approve")] public object Approve() => engine.AssessJson(approve);
    [Benchmark(Description = "transaction: Safe delegatecall")] public object SafeExec() => engine.AssessJson(multicallSafe);
    [Benchmark(Description = "transaction: poisoning")] public object Poisoning() => engine.AssessJson(poisoning);
    [Benchmark(Description = "typedData: permit")] public object Permit() => engine.AssessJson(typedPermit);
    [Benchmark(Description = "typedData: Seaport")] public object Seaport() => engine.AssessJson(seaport);
    [Benchmark(Description = "address")] public object Address() => engine.AssessJson(address);
    [Benchmark(Description = "domain look-alike")] public object Domain() => engine.AssessJson(domain);

    [Benchmark(Description = "mixed corpus (all example lines)", OperationsPerInvoke = 16)]
    public int Mixed()
    {
        var n = 0;
        foreach (var line in Corpus.Lines) n += engine.AssessJson(line).Score;
        return n;
    }
}
