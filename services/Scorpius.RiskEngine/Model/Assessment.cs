using System.Numerics;
using System.Text.Json;
using Scorpius.Contracts;

namespace Scorpius.RiskEngine.Model;

/// <summary>What is to be assessed, as one line of the CLI's JSON Lines input or one item of POST /v1/assessments.</summary>
public enum RequestKind { Transaction, Raw, Psbt, TypedData, Address, Domain }

public enum Chain { Ethereum, Bitcoin }

/// <summary>An unsigned transaction request (eth_sendTransaction shape).</summary>
public sealed record TransactionRequest(string? From, string? To, BigInteger Value, byte[] Data, long? ChainId);

/// <summary>One request to assess. Exactly the payload of <see cref="Kind"/> is set.</summary>
public sealed record AssessmentRequest(
    string? Id,
    Chain Chain,
    long? ChainId,
    RequestKind Kind,
    AssessmentContext Context,
    TransactionRequest? Transaction = null,
    string? Raw = null,
    string? Psbt = null,
    string? From = null,
    JsonElement? TypedData = null,
    string? Address = null,
    string? Domain = null);

/// <summary>
/// What the caller knows about the wallet: its usual counterparties (they feed the address-poisoning detector), the
/// addresses it trusts, accounts known to be externally owned, per-asset thresholds for "large", and the clock.
/// </summary>
public sealed record AssessmentContext(
    IReadOnlySet<string> KnownCounterparties,
    IReadOnlySet<string> Allowlist,
    IReadOnlySet<string> Eoas,
    IReadOnlyDictionary<string, BigInteger> LargeTransferThresholds,
    DateTimeOffset Now)
{
    public static AssessmentContext Empty(DateTimeOffset now) => new(
        new HashSet<string>(), new HashSet<string>(), new HashSet<string>(), new Dictionary<string, BigInteger>(), now);
}

/// <summary>Why a verdict is what it is: a stable UPPER_SNAKE code, a severity, a sentence for a person, and evidence.</summary>
public sealed record Finding(string Code, Severity Severity, string Message, IReadOnlyDictionary<string, object?> Evidence);

/// <summary>The answer for one request. <see cref="Error"/> is set exactly when the verdict is <see cref="Verdict.Error"/>.</summary>
public sealed record AssessmentResult(string? Id, Verdict Verdict, int Score, IReadOnlyList<Finding> Findings, string? Error = null)
{
    public static AssessmentResult Failed(string? id, string reason) => new(id, Verdict.Error, 0, [], reason);
}
