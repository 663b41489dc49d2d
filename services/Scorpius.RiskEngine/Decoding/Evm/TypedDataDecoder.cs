using System.Numerics;
using System.Text.Json;
using Scorpius.RiskEngine.Model;

namespace Scorpius.RiskEngine.Decoding.Evm;

/// <summary>
/// Recognises EIP-712 signature requests by the structure and fields of the message, never by the type name alone
/// (a drainer can call its Permit "Claim"): EIP-2612 and DAI permits, Permit2 (PermitSingle, PermitBatch, the
/// signature-transfer forms with or without witness), and Seaport-style orders including bulk orders.
/// </summary>
public static class TypedDataDecoder
{
    private const int MaxBulkOrders = 1024;

    public static List<EvmAction> Decode(JsonElement typedData, string? signer)
    {
        if (typedData.ValueKind != JsonValueKind.Object)
            throw new DecodeException("typedData must be an object with types, primaryType, domain and message");
        if (!typedData.TryGetProperty("types", out var types) || types.ValueKind != JsonValueKind.Object)
            throw new DecodeException("typedData.types is missing or not an object");
        if (!typedData.TryGetProperty("primaryType", out var primary) || primary.ValueKind != JsonValueKind.String)
            throw new DecodeException("typedData.primaryType is missing or not a string");
        if (!typedData.TryGetProperty("domain", out var domain) || domain.ValueKind != JsonValueKind.Object)
            throw new DecodeException("typedData.domain is missing or not an object");
        if (!typedData.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
            throw new DecodeException("typedData.message is missing or not an object");

        var primaryType = primary.GetString()!;
        var verifying = OptionalAddress(domain, "verifyingContract", "typedData.domain.verifyingContract");
        var chainId = OptionalUint(domain, "chainId", "typedData.domain.chainId");
        var actions = new List<EvmAction>(2)
        {
            new TypedDataDomainAction("typedData", primaryType, OptionalText(domain, "name"), verifying,
                chainId is { } c && c <= long.MaxValue ? (long)c : null),
        };
        var before = actions.Count;
        Match(message, "typedData.message", verifying, signer, actions, depth: 0);
        if (actions.Count == before)
            actions.Add(new UnknownTypedDataAction("typedData", primaryType, verifying, chainId is { } id && id <= long.MaxValue ? (long)id : null));
        return actions;
    }

    private static void Match(JsonElement m, string path, string? verifying, string? signer, List<EvmAction> actions, int depth)
    {
        // Permit2 PermitSingle / PermitBatch (allowance transfer).
        if (Has(m, "details") && Has(m, "spender") && Has(m, "sigDeadline"))
        {
            var spender = RequiredAddress(m, "spender", path);
            var details = m.GetProperty("details");
            var list = details.ValueKind == JsonValueKind.Array ? details.EnumerateArray().ToArray() : [details];
            for (var i = 0; i < list.Length; i++)
            {
                var d = list[i];
                var p = details.ValueKind == JsonValueKind.Array ? $"{path}.details[{i}]" : $"{path}.details";
                var amount = RequiredUint(d, "amount", p);
                actions.Add(new ApprovalAction(p, ApprovalKind.Permit2Permit, RequiredAddress(d, "token", p), spender, amount, amount.IsZero,
                    CalldataDecoder.Permit2Expiration(RequiredUint(d, "expiration", p)), IsSignature: true, signer));
            }
            return;
        }
        // Permit2 signature transfer (PermitTransferFrom, PermitBatchTransferFrom, and the witness forms).
        if (Has(m, "permitted") && Has(m, "spender") && Has(m, "deadline"))
        {
            var spender = RequiredAddress(m, "spender", path);
            var deadline = Deadline(RequiredUint(m, "deadline", path));
            var permitted = m.GetProperty("permitted");
            var list = permitted.ValueKind == JsonValueKind.Array ? permitted.EnumerateArray().ToArray() : [permitted];
            for (var i = 0; i < list.Length; i++)
            {
                var p = permitted.ValueKind == JsonValueKind.Array ? $"{path}.permitted[{i}]" : $"{path}.permitted";
                var amount = RequiredUint(list[i], "amount", p);
                actions.Add(new ApprovalAction(p, ApprovalKind.Permit2TransferFrom, RequiredAddress(list[i], "token", p), spender, amount,
                    amount.IsZero, deadline, IsSignature: true, signer));
            }
            return;
        }
        // DAI-style permit: all-or-nothing, expiry 0 = never.
        if (Has(m, "holder") && Has(m, "spender") && Has(m, "allowed") && (Has(m, "expiry") || Has(m, "deadline")))
        {
            var expiry = RequiredUint(m, Has(m, "expiry") ? "expiry" : "deadline", path);
            var allowed = m.GetProperty("allowed").ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String => m.GetProperty("allowed").GetString() is "true" or "1",
                JsonValueKind.Number => m.GetProperty("allowed").GetRawText() != "0",
                _ => throw new DecodeException($"{path}.allowed is not a boolean"),
            };
            actions.Add(new ApprovalAction(path, ApprovalKind.DaiPermit, verifying, RequiredAddress(m, "spender", path), null, !allowed,
                expiry.IsZero ? null : Deadline(expiry), IsSignature: true, OptionalAddress(m, "holder", path + ".holder") ?? signer));
            return;
        }
        // EIP-2612 permit: owner, spender, value, deadline (the token is the verifying contract).
        if (Has(m, "spender") && Has(m, "value") && Has(m, "deadline"))
        {
            var value = RequiredUint(m, "value", path);
            actions.Add(new ApprovalAction(path, ApprovalKind.Erc2612Permit, verifying, RequiredAddress(m, "spender", path), value, value.IsZero,
                Deadline(RequiredUint(m, "deadline", path)), IsSignature: true, OptionalAddress(m, "owner", path + ".owner") ?? signer));
            return;
        }
        // Seaport-style order: offerer, offer[], consideration[].
        if (Has(m, "offerer") && Has(m, "offer") && Has(m, "consideration"))
        {
            actions.Add(Order(m, path, verifying));
            return;
        }
        // Seaport bulk order: a (nested) tree of orders, each of which is checked.
        if (Has(m, "tree") && depth == 0)
        {
            var count = 0;
            foreach (var (order, p) in Leaves(m.GetProperty("tree"), path + ".tree", 0))
            {
                if (++count > MaxBulkOrders) throw new DecodeException($"{path}.tree holds more than {MaxBulkOrders} orders");
                Match(order, p, verifying, signer, actions, depth + 1);
            }
        }
    }

    private static MarketplaceOrderAction Order(JsonElement m, string path, string? verifying)
    {
        var offerer = RequiredAddress(m, "offerer", path);
        var offer = ArrayOf(m, "offer", path);
        var consideration = ArrayOf(m, "consideration", path);
        var toOfferer = 0;
        var total = BigInteger.Zero;
        var recipients = new List<string>();
        for (var i = 0; i < consideration.Length; i++)
        {
            var p = $"{path}.consideration[{i}]";
            var recipient = RequiredAddress(consideration[i], "recipient", p);
            recipients.Add(recipient);
            if (recipient != offerer) continue;
            var amount = BigInteger.Max(RequiredUint(consideration[i], "startAmount", p), RequiredUint(consideration[i], "endAmount", p));
            if (amount.IsZero) continue;
            toOfferer++;
            total += amount;
        }
        return new MarketplaceOrderAction(path, verifying, offerer, offer.Length, consideration.Length, toOfferer, total, recipients);
    }

    private static IEnumerable<(JsonElement Order, string Path)> Leaves(JsonElement node, string path, int level)
    {
        if (level > 24) throw new DecodeException($"{path}: bulk order tree is too deep");
        if (node.ValueKind == JsonValueKind.Object)
        {
            yield return (node, path);
            yield break;
        }
        if (node.ValueKind != JsonValueKind.Array) throw new DecodeException($"{path}: bulk order tree node must be an array or an order");
        var i = 0;
        foreach (var child in node.EnumerateArray())
        {
            foreach (var leaf in Leaves(child, $"{path}[{i}]", level + 1)) yield return leaf;
            i++;
        }
    }

    private static bool Has(JsonElement m, string name) => m.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    private static JsonElement[] ArrayOf(JsonElement m, string name, string path)
    {
        var v = m.GetProperty(name);
        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().ToArray() : throw new DecodeException($"{path}.{name} must be an array");
    }

    private static string? OptionalText(JsonElement m, string name) =>
        m.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string RequiredAddress(JsonElement m, string name, string path) =>
        OptionalAddress(m, name, $"{path}.{name}") ?? throw new DecodeException($"{path}.{name} is missing");

    private static string? OptionalAddress(JsonElement m, string name, string path)
    {
        if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        var text = v.ValueKind == JsonValueKind.String ? v.GetString()!.Trim() : null;
        return Hex.IsEvmAddress(text) ? text!.ToLowerInvariant() : throw new DecodeException($"{path} is not a 20-byte hex address");
    }

    private static BigInteger RequiredUint(JsonElement m, string name, string path) =>
        OptionalUint(m, name, $"{path}.{name}") ?? throw new DecodeException($"{path}.{name} is missing");

    private static BigInteger? OptionalUint(JsonElement m, string name, string path)
    {
        if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        var text = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        };
        return Hex.TryParseAmount(text, out var value) ? value : throw new DecodeException($"{path} is not a non-negative integer");
    }

    private static DateTimeOffset? Deadline(BigInteger seconds) =>
        seconds >= new BigInteger(DateTimeOffset.MaxValue.ToUnixTimeSeconds()) ? null : DateTimeOffset.FromUnixTimeSeconds((long)seconds);
}
