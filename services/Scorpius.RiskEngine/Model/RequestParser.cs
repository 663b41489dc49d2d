using System.Numerics;
using System.Text.Json;

namespace Scorpius.RiskEngine.Model;

/// <summary>A request line that cannot be used; the message says which field and why.</summary>
public sealed class RequestException(string message) : Exception(message);

/// <summary>
/// Reads one request of the CLI contract (one JSON Lines line):
/// <c>{"id","chain":"ethereum"|"bitcoin","chainId"?,"kind":"transaction"|"raw"|"psbt"|"typedData"|"address"|"domain", payload…, "context"?}</c>.
/// </summary>
public static class RequestParser
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Parses a line; on failure returns null and the reason, with the id when it could be read.</summary>
    public static AssessmentRequest? TryParse(string line, DateTimeOffset now, out string? id, out string? error)
    {
        id = null;
        error = null;
        try
        {
            using var doc = JsonDocument.Parse(line, Options);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new RequestException("a request must be a JSON object");
            id = root.TryGetProperty("id", out var idElement) ? IdText(idElement) : null;
            return Parse(root, id, now);
        }
        catch (JsonException ex)
        {
            error = $"malformed JSON: {ex.Message}";
        }
        catch (RequestException ex)
        {
            error = ex.Message;
        }
        return null;
    }

    public static AssessmentRequest Parse(JsonElement root, string? id, DateTimeOffset now)
    {
        var chain = (OptionalString(root, "chain") ?? "ethereum").ToLowerInvariant() switch
        {
            "ethereum" or "evm" => Chain.Ethereum,
            "bitcoin" => Chain.Bitcoin,
            var other => throw new RequestException($"chain '{other}' is not supported (use \"ethereum\" for any EVM chain, or \"bitcoin\")"),
        };
        var chainId = OptionalChainId(root, "chainId");
        var kindText = OptionalString(root, "kind") ?? throw new RequestException("missing \"kind\" (transaction, raw, psbt, typedData, address or domain)");
        var context = ParseContext(root, now);

        switch (kindText)
        {
            case "transaction":
                RequireEthereum(chain, kindText);
                var tx = Required(root, "transaction", JsonValueKind.Object);
                var txChainId = OptionalChainId(tx, "chainId") ?? chainId;
                return new AssessmentRequest(id, chain, txChainId, RequestKind.Transaction, context, Transaction: new TransactionRequest(
                    OptionalAddress(tx, "from", "transaction.from"),
                    OptionalAddress(tx, "to", "transaction.to"),
                    OptionalAmount(tx, "value", "transaction.value"),
                    OptionalHex(tx, "data", "transaction.data") ?? OptionalHex(tx, "input", "transaction.input") ?? [],
                    txChainId));
            case "raw":
                return new AssessmentRequest(id, chain, chainId, RequestKind.Raw, context, Raw: RequiredString(root, "raw"));
            case "psbt":
                if (chain != Chain.Bitcoin) throw new RequestException("kind \"psbt\" needs chain \"bitcoin\"");
                return new AssessmentRequest(id, chain, chainId, RequestKind.Psbt, context, Psbt: RequiredString(root, "psbt"));
            case "typedData":
                RequireEthereum(chain, kindText);
                var typed = Required(root, "typedData", JsonValueKind.Object);
                return new AssessmentRequest(id, chain, chainId, RequestKind.TypedData, context,
                    From: OptionalAddress(root, "from", "from"), TypedData: typed.Clone());
            case "address":
                var address = RequiredString(root, "address").Trim();
                if (chain == Chain.Ethereum && !Hex.IsEvmAddress(address))
                    throw new RequestException($"address '{Shorten(address)}' is not a 0x-prefixed 20-byte hex address");
                return new AssessmentRequest(id, chain, chainId, RequestKind.Address, context, Address: address);
            case "domain":
                return new AssessmentRequest(id, chain, chainId, RequestKind.Domain, context, Domain: RequiredString(root, "domain").Trim());
            default:
                throw new RequestException($"kind '{kindText}' is not supported (transaction, raw, psbt, typedData, address or domain)");
        }
    }

    private static AssessmentContext ParseContext(JsonElement root, DateTimeOffset now)
    {
        if (!root.TryGetProperty("context", out var ctx) || ctx.ValueKind == JsonValueKind.Null) return AssessmentContext.Empty(now);
        if (ctx.ValueKind != JsonValueKind.Object) throw new RequestException("\"context\" must be an object");
        var clock = now;
        if (ctx.TryGetProperty("now", out var nowElement) && nowElement.ValueKind != JsonValueKind.Null)
        {
            if (nowElement.ValueKind != JsonValueKind.String || !DateTimeOffset.TryParse(nowElement.GetString(),
                    System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out clock))
                throw new RequestException("context.now must be an ISO-8601 date and time");
        }
        var thresholds = new Dictionary<string, BigInteger>(StringComparer.OrdinalIgnoreCase);
        if (ctx.TryGetProperty("largeTransferThresholds", out var t) && t.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in t.EnumerateObject())
            {
                if (!Hex.TryParseAmount(p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetRawText() : p.Value.GetString(), out var v))
                    throw new RequestException($"context.largeTransferThresholds.{p.Name} must be an amount in base units");
                thresholds[p.Name == "native" ? "native" : Hex.Normalize(p.Name)] = v;
            }
        }
        return new AssessmentContext(
            AddressSet(ctx, "knownCounterparties"), AddressSet(ctx, "allowlist"), AddressSet(ctx, "eoas"), thresholds, clock);
    }

    private static HashSet<string> AddressSet(JsonElement ctx, string name)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (!ctx.TryGetProperty(name, out var list) || list.ValueKind == JsonValueKind.Null) return set;
        if (list.ValueKind != JsonValueKind.Array) throw new RequestException($"context.{name} must be an array of addresses");
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
                throw new RequestException($"context.{name} must hold address strings");
            set.Add(Hex.Normalize(item.GetString()!));
        }
        return set;
    }

    private static void RequireEthereum(Chain chain, string kind)
    {
        if (chain != Chain.Ethereum) throw new RequestException($"kind \"{kind}\" needs chain \"ethereum\"");
    }

    private static JsonElement Required(JsonElement obj, string name, JsonValueKind kind) =>
        obj.TryGetProperty(name, out var e) && e.ValueKind == kind ? e
        : throw new RequestException($"missing or invalid \"{name}\" (expected a JSON {kind.ToString().ToLowerInvariant()})");

    private static string RequiredString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(e.GetString()) ? e.GetString()!
        : throw new RequestException($"missing or empty \"{name}\"");

    private static string? OptionalString(JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null ? null
        : e.ValueKind == JsonValueKind.String ? e.GetString() : throw new RequestException($"\"{name}\" must be a string");

    private static string? OptionalAddress(JsonElement obj, string name, string path)
    {
        var text = OptionalString(obj, name);
        if (string.IsNullOrWhiteSpace(text)) return null;
        return Hex.IsEvmAddress(text.Trim()) ? text.Trim().ToLowerInvariant()
            : throw new RequestException($"{path} '{Shorten(text)}' is not a 0x-prefixed 20-byte hex address");
    }

    private static BigInteger OptionalAmount(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return BigInteger.Zero;
        var text = e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.Number => e.GetRawText(),
            _ => null,
        };
        return Hex.TryParseAmount(text, out var v) ? v
            : throw new RequestException($"{path} must be a non-negative integer amount in wei (decimal or 0x-hex, at most 2^256-1)");
    }

    private static byte[]? OptionalHex(JsonElement obj, string name, string path)
    {
        var text = OptionalString(obj, name);
        if (text is null) return null;
        return Hex.TryDecode(text, out var bytes) ? bytes : throw new RequestException($"{path} is not valid hex");
    }

    private static long? OptionalChainId(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        var text = e.ValueKind == JsonValueKind.Number ? e.GetRawText() : e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (Hex.TryParseAmount(text, out var v) && v > 0 && v <= long.MaxValue) return (long)v;
        throw new RequestException($"\"{name}\" must be a positive integer");
    }

    private static string? IdText(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        _ => null,
    };

    internal static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
