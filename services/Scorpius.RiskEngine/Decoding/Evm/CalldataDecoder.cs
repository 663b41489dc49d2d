using System.Buffers.Binary;
using System.Numerics;
using Scorpius.RiskEngine.Model;

namespace Scorpius.RiskEngine.Decoding.Evm;

/// <summary>
/// Turns a call (sender, target, value, calldata) into <see cref="EvmAction"/>s: token approvals and transfers,
/// EIP-2612/DAI permits, Permit2, batches (multicall, Multicall3, Safe MultiSend, ERC-4337 execute/executeBatch) with
/// their nested calls decoded, Safe execTransaction including DELEGATECALL, proxy upgrades, ownership and role changes.
/// Selectors are matched on the 4-byte id; a recognised method with malformed arguments is reported as such.
/// </summary>
public static class CalldataDecoder
{
    public const int MaxDepth = 8;

    private delegate void Handler(in Call call, AbiReader args, List<EvmAction> actions);

    /// <summary>A call being decoded: <see cref="From"/> is whose authority it runs with (null: unknown signer).</summary>
    private readonly record struct Call(string? From, string To, BigInteger Value, ReadOnlyMemory<byte> Data, string Path, int Depth);

    private static readonly Dictionary<uint, (string Signature, Handler Handle)> Methods = new()
    {
        [0x095ea7b3] = ("approve(address,uint256)", (in Call c, AbiReader a, List<EvmAction> o) =>
            o.Add(Approval(c, ApprovalKind.Erc20Approve, c.To, a.Address(0), a.Uint(1)))),
        [0x39509351] = ("increaseAllowance(address,uint256)", (in Call c, AbiReader a, List<EvmAction> o) =>
            o.Add(Approval(c, ApprovalKind.Erc20IncreaseAllowance, c.To, a.Address(0), a.Uint(1), revokes: false))),
        [0xa22cb465] = ("setApprovalForAll(address,bool)", (in Call c, AbiReader a, List<EvmAction> o) =>
            o.Add(new ApprovalAction(c.Path, ApprovalKind.ApprovalForAll, c.To, a.Address(0), null, !a.Bool(1), null, false, c.From))),
        [0xa9059cbb] = ("transfer(address,uint256)", (in Call c, AbiReader a, List<EvmAction> o) =>
            o.Add(new TransferAction(c.Path, TransferKind.Erc20Transfer, c.To, c.From, a.Address(0), a.Uint(1)))),
        [0x23b872dd] = ("transferFrom(address,address,uint256)", (in Call c, AbiReader a, List<EvmAction> o) =>
            o.Add(new TransferAction(c.Path, TransferKind.Erc20TransferFrom, c.To, a.Address(0), a.Address(1), a.Uint(2)))),
        [0x42842e0e] = ("safeTransferFrom(address,address,uint256)", NftTransfer),
        [0xb88d4fde] = ("safeTransferFrom(address,address,uint256,bytes)", NftTransfer),
        [0xf242432a] = ("safeTransferFrom(address,address,uint256,uint256,bytes)", (in Call c, AbiReader a, List<EvmAction> o) =>
            o.Add(new TransferAction(c.Path, TransferKind.Erc1155Transfer, c.To, a.Address(0), a.Address(1), a.Uint(3)))),
        [0x2eb2c2d6] = ("safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)", (in Call c, AbiReader a, List<EvmAction> o) =>
        {
            var (count, amounts) = a.Array(3);
            var total = BigInteger.Zero;
            for (var i = 0; i < count; i++) total += amounts.Uint(i);
            o.Add(new TransferAction(c.Path, TransferKind.Erc1155Transfer, c.To, a.Address(0), a.Address(1), total));
        }),
        [0xd505accf] = ("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", (in Call c, AbiReader a, List<EvmAction> o) =>
            o.Add(new ApprovalAction(c.Path, ApprovalKind.Erc2612Permit, c.To, a.Address(1), a.Uint(2), a.Uint(2).IsZero, Deadline(a.Uint(3)), false, a.Address(0)))),
        [0x8fcbaf0c] = ("permit(address,address,uint256,uint256,bool,uint8,bytes32,bytes32)", (in Call c, AbiReader a, List<EvmAction> o) =>
            // DAI-style: all or nothing; expiry 0 means it never expires.
            o.Add(new ApprovalAction(c.Path, ApprovalKind.DaiPermit, c.To, a.Address(1), null, !a.Bool(4), DaiExpiry(a.Uint(3)), false, a.Address(0)))),
        [0x87517c45] = ("approve(address,address,uint160,uint48)", (in Call c, AbiReader a, List<EvmAction> o) =>
            o.Add(new ApprovalAction(c.Path, ApprovalKind.Permit2Approve, a.Address(0), a.Address(1), a.Uint(2), a.Uint(2).IsZero, Permit2Expiration(a.Uint(3)), false, c.From))),
        [0x2b67b570] = ("permit(address,((address,uint160,uint48,uint48),address,uint256),bytes)", (in Call c, AbiReader a, List<EvmAction> o) =>
            // PermitSingle is static, so it sits in the head: owner, token, amount, expiration, nonce, spender, sigDeadline.
            o.Add(new ApprovalAction(c.Path, ApprovalKind.Permit2Permit, a.Address(1), a.Address(5), a.Uint(2), a.Uint(2).IsZero, Permit2Expiration(a.Uint(3)), false, a.Address(0)))),
        [0x2a2d80d1] = ("permit(address,((address,uint160,uint48,uint48)[],address,uint256),bytes)", (in Call c, AbiReader a, List<EvmAction> o) =>
        {
            var owner = a.Address(0);
            var batch = a.Tail(1);
            var spender = batch.Address(1);
            var (count, details) = batch.Array(0);
            for (var i = 0; i < count; i++)
            {
                var d = details.At(i * 4);
                o.Add(new ApprovalAction($"{c.Path}.details[{i}]", ApprovalKind.Permit2Permit, d.Address(0), spender, d.Uint(1), d.Uint(1).IsZero, Permit2Expiration(d.Uint(2)), false, owner));
            }
        }),
        [0x30f28b7a] = ("permitTransferFrom(((address,uint256),uint256,uint256),(address,uint256),address,bytes)", (in Call c, AbiReader a, List<EvmAction> o) =>
            o.Add(new TransferAction(c.Path, TransferKind.Permit2TransferFrom, a.Address(0), a.Address(6), a.Address(4), a.Uint(5)))),
        [0xedd9444b] = ("permitTransferFrom(((address,uint256)[],uint256,uint256),(address,uint256)[],address,bytes)", (in Call c, AbiReader a, List<EvmAction> o) =>
        {
            var owner = a.Address(2);
            var (count, permitted) = a.Tail(0).Array(0);
            var (detailCount, details) = a.Array(1);
            for (var i = 0; i < Math.Min(count, detailCount); i++)
            {
                var p = permitted.At(i * 2);
                var d = details.At(i * 2);
                o.Add(new TransferAction($"{c.Path}[{i}]", TransferKind.Permit2TransferFrom, p.Address(0), owner, d.Address(0), d.Uint(1)));
            }
        }),
        [0x36c78516] = ("transferFrom(address,address,uint160,address)", (in Call c, AbiReader a, List<EvmAction> o) =>
            o.Add(new TransferAction(c.Path, TransferKind.Permit2TransferFrom, a.Address(3), a.Address(0), a.Address(1), a.Uint(2)))),

        // Batches that call the same contract (the caller keeps its identity through delegatecall to self).
        [0xac9650d8] = ("multicall(bytes[])", (in Call c, AbiReader a, List<EvmAction> o) => SelfBatch(c, a, 0, o)),
        [0x5ae401dc] = ("multicall(uint256,bytes[])", (in Call c, AbiReader a, List<EvmAction> o) => SelfBatch(c, a, 1, o)),
        [0x1f0464d1] = ("multicall(bytes32,bytes[])", (in Call c, AbiReader a, List<EvmAction> o) => SelfBatch(c, a, 1, o)),
        // Multicall/Multicall3: the inner calls run with the Multicall contract as sender, not the signer.
        [0x252dba42] = ("aggregate((address,bytes)[])", (in Call c, AbiReader a, List<EvmAction> o) => Aggregate(c, a, 0, targetWord: 0, dataWord: 1, valueWord: -1, o)),
        [0xbce38bd7] = ("tryAggregate(bool,(address,bytes)[])", (in Call c, AbiReader a, List<EvmAction> o) => Aggregate(c, a, 1, targetWord: 0, dataWord: 1, valueWord: -1, o)),
        [0x82ad56cb] = ("aggregate3((address,bool,bytes)[])", (in Call c, AbiReader a, List<EvmAction> o) => Aggregate(c, a, 0, targetWord: 0, dataWord: 2, valueWord: -1, o)),
        [0x174dea71] = ("aggregate3Value((address,bool,uint256,bytes)[])", (in Call c, AbiReader a, List<EvmAction> o) => Aggregate(c, a, 0, targetWord: 0, dataWord: 3, valueWord: 2, o)),
        // Smart accounts (ERC-4337 and others): inner calls run as the account itself.
        [0xb61d27f6] = ("execute(address,uint256,bytes)", (in Call c, AbiReader a, List<EvmAction> o) =>
            Decode(new Call(c.To, a.Address(0), a.Uint(1), a.Bytes(2), c.Path + ".execute", c.Depth + 1), o)),
        [0x18dfb3c7] = ("executeBatch(address[],bytes[])", (in Call c, AbiReader a, List<EvmAction> o) =>
        {
            var (count, targets) = a.Array(0);
            var (dataCount, datas) = a.Array(1);
            for (var i = 0; i < Math.Min(count, dataCount); i++)
                Decode(new Call(c.To, targets.Address(i), 0, datas.BytesElement(i), $"{c.Path}.executeBatch[{i}]", c.Depth + 1), o);
        }),
        [0x47e1da2a] = ("executeBatch(address[],uint256[],bytes[])", (in Call c, AbiReader a, List<EvmAction> o) =>
        {
            var (count, targets) = a.Array(0);
            var (_, values) = a.Array(1);
            var (dataCount, datas) = a.Array(2);
            for (var i = 0; i < Math.Min(count, dataCount); i++)
                Decode(new Call(c.To, targets.Address(i), values.Uint(i), datas.BytesElement(i), $"{c.Path}.executeBatch[{i}]", c.Depth + 1), o);
        }),
        [0x34fcd5be] = ("executeBatch((address,uint256,bytes)[])", (in Call c, AbiReader a, List<EvmAction> o) =>
        {
            var (count, calls) = a.Array(0);
            for (var i = 0; i < count; i++)
            {
                var t = calls.Tail(i);
                Decode(new Call(c.To, t.Address(0), t.Uint(1), t.Bytes(2), $"{c.Path}.executeBatch[{i}]", c.Depth + 1), o);
            }
        }),
        // Safe.
        [0x6a761202] = ("execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)", (in Call c, AbiReader a, List<EvmAction> o) =>
        {
            var target = a.Address(0);
            var operation = a.SmallInt(3, 255);
            if (operation > 1) throw new AbiException($"Safe operation {operation} is neither CALL (0) nor DELEGATECALL (1)");
            var inner = new Call(c.To, target, a.Uint(1), a.Bytes(2), c.Path + ".execTransaction", c.Depth + 1);
            if (operation == 1) o.Add(new DelegateCallAction(inner.Path, c.To, target, inner.Data.Length));
            Decode(inner, o);
        }),
        [0x8d80ff0a] = ("multiSend(bytes)", (in Call c, AbiReader a, List<EvmAction> o) => MultiSend(c, a.Bytes(0), o)),
        // Proxies.
        [0x3659cfe6] = ("upgradeTo(address)", (in Call c, AbiReader a, List<EvmAction> o) => o.Add(new ProxyUpgradeAction(c.Path, c.To, a.Address(0)))),
        [0x4f1ef286] = ("upgradeToAndCall(address,bytes)", (in Call c, AbiReader a, List<EvmAction> o) => o.Add(new ProxyUpgradeAction(c.Path, c.To, a.Address(0)))),
        [0x99a88ec4] = ("upgrade(address,address)", (in Call c, AbiReader a, List<EvmAction> o) => o.Add(new ProxyUpgradeAction(c.Path, a.Address(0), a.Address(1)))),
        [0x9623609d] = ("upgradeAndCall(address,address,bytes)", (in Call c, AbiReader a, List<EvmAction> o) => o.Add(new ProxyUpgradeAction(c.Path, a.Address(0), a.Address(1)))),
        // Ownership, roles, Safe configuration.
        [0x8f283970] = ("changeAdmin(address)", (in Call c, AbiReader a, List<EvmAction> o) => Control(c, "changeAdmin", a.Address(0), "proxy admin changes", o)),
        [0xf2fde38b] = ("transferOwnership(address)", (in Call c, AbiReader a, List<EvmAction> o) => Control(c, "transferOwnership", a.Address(0), "ownership is transferred", o)),
        [0x715018a6] = ("renounceOwnership()", (in Call c, AbiReader a, List<EvmAction> o) => Control(c, "renounceOwnership", null, "ownership is renounced for good", o)),
        [0x2f2ff15d] = ("grantRole(bytes32,address)", (in Call c, AbiReader a, List<EvmAction> o) =>
            Control(c, "grantRole", a.Address(1), "role " + Hex.Encode(a.WordAt(0)) + " is granted", o)),
        [0x0d582f13] = ("addOwnerWithThreshold(address,uint256)", (in Call c, AbiReader a, List<EvmAction> o) =>
            Control(c, "addOwnerWithThreshold", a.Address(0), $"a Safe owner is added (threshold {a.Uint(1)})", o)),
        [0xf8dc5dd9] = ("removeOwner(address,address,uint256)", (in Call c, AbiReader a, List<EvmAction> o) =>
            Control(c, "removeOwner", a.Address(1), $"a Safe owner is removed (threshold {a.Uint(2)})", o)),
        [0xe318b52b] = ("swapOwner(address,address,address)", (in Call c, AbiReader a, List<EvmAction> o) =>
            Control(c, "swapOwner", a.Address(2), $"Safe owner {a.Address(1)} is replaced", o)),
        [0x694e80c3] = ("changeThreshold(uint256)", (in Call c, AbiReader a, List<EvmAction> o) =>
            Control(c, "changeThreshold", null, $"the Safe threshold becomes {a.Uint(0)}", o)),
        [0x610b5925] = ("enableModule(address)", (in Call c, AbiReader a, List<EvmAction> o) =>
            Control(c, "enableModule", a.Address(0), "a Safe module that can move funds without owner signatures is enabled", o)),
        [0xe19a9dd9] = ("setGuard(address)", (in Call c, AbiReader a, List<EvmAction> o) =>
            Control(c, "setGuard", a.Address(0), "the Safe transaction guard changes", o)),
        [0xf08a0323] = ("setFallbackHandler(address)", (in Call c, AbiReader a, List<EvmAction> o) =>
            Control(c, "setFallbackHandler", a.Address(0), "the Safe fallback handler changes", o)),
    };

    /// <summary>The selectors and signatures recognised (for documentation and a test that recomputes each selector).</summary>
    public static IEnumerable<(uint Selector, string Signature)> KnownMethods => Methods.Select(m => (m.Key, m.Value.Signature));

    /// <summary>Decodes a top-level call. <paramref name="to"/> null is a contract creation.</summary>
    public static List<EvmAction> DecodeTransaction(string? from, string? to, BigInteger value, ReadOnlyMemory<byte> data)
    {
        var actions = new List<EvmAction>(4);
        if (to is null)
        {
            actions.Add(new ContractCreationAction("call", data.Length));
            return actions;
        }
        Decode(new Call(from, to, value, data, "call", 0), actions);
        return actions;
    }

    public static string? MethodName(uint selector) => Methods.TryGetValue(selector, out var m) ? m.Signature : null;

    private static void Decode(in Call call, List<EvmAction> actions)
    {
        if (call.Value > 0)
            actions.Add(new TransferAction(call.Path, TransferKind.Native, null, call.From, call.To, call.Value));
        if (call.Data.Length == 0) return;
        if (call.Data.Length < 4)
        {
            actions.Add(new ContractCallAction(call.Path, call.To, Hex.Encode(call.Data.Span), null, call.Data.Length, Malformed: true, call.Value));
            return;
        }
        var selector = BinaryPrimitives.ReadUInt32BigEndian(call.Data.Span);
        if (!Methods.TryGetValue(selector, out var method))
        {
            actions.Add(new ContractCallAction(call.Path, call.To, Hex.Encode(call.Data.Span[..4]), null, call.Data.Length, Malformed: false, call.Value));
            return;
        }
        if (call.Depth > MaxDepth)
        {
            actions.Add(new ContractCallAction(call.Path, call.To, Hex.Encode(call.Data.Span[..4]), method.Signature, call.Data.Length, Malformed: true, call.Value));
            return;
        }
        var mark = actions.Count;
        try
        {
            method.Handle(call, new AbiReader(call.Data[4..]), actions);
        }
        catch (AbiException)
        {
            // Keep what decoded cleanly before the fault? No: a half-read call is untrustworthy; report it as malformed.
            actions.RemoveRange(mark, actions.Count - mark);
            actions.Add(new ContractCallAction(call.Path, call.To, Hex.Encode(call.Data.Span[..4]), method.Signature, call.Data.Length, Malformed: true, call.Value));
        }
    }

    private static ApprovalAction Approval(in Call c, ApprovalKind kind, string token, string spender, BigInteger amount, bool? revokes = null) =>
        new(c.Path, kind, token, spender, amount, revokes ?? amount.IsZero, null, false, c.From);

    private static void NftTransfer(in Call c, AbiReader a, List<EvmAction> o) =>
        o.Add(new TransferAction(c.Path, TransferKind.NftTransfer, c.To, a.Address(0), a.Address(1), BigInteger.One));

    private static void Control(in Call c, string method, string? subject, string detail, List<EvmAction> o) =>
        o.Add(new ControlChangeAction(c.Path, c.To, method, subject, detail));

    private static void SelfBatch(in Call c, AbiReader a, int arrayWord, List<EvmAction> o)
    {
        var (count, items) = a.Array(arrayWord);
        for (var i = 0; i < count; i++)
            Decode(new Call(c.From, c.To, 0, items.BytesElement(i), $"{c.Path}.multicall[{i}]", c.Depth + 1), o);
    }

    private static void Aggregate(in Call c, AbiReader a, int arrayWord, int targetWord, int dataWord, int valueWord, List<EvmAction> o)
    {
        var (count, items) = a.Array(arrayWord);
        for (var i = 0; i < count; i++)
        {
            var t = items.Tail(i);
            Decode(new Call(c.To, t.Address(targetWord), valueWord >= 0 ? t.Uint(valueWord) : 0, t.Bytes(dataWord), $"{c.Path}.aggregate[{i}]", c.Depth + 1), o);
        }
    }

    /// <summary>Safe MultiSend: packed (operation uint8, to address, value uint256, dataLength uint256, data) entries.</summary>
    private static void MultiSend(in Call c, ReadOnlyMemory<byte> packed, List<EvmAction> o)
    {
        // MultiSend runs by DELEGATECALL from the Safe, so each entry acts with the Safe's authority (c.From).
        var account = c.From ?? c.To;
        var offset = 0;
        for (var i = 0; offset < packed.Length; i++)
        {
            if (packed.Length - offset < 85) throw new AbiException($"multiSend entry {i} is truncated");
            var span = packed.Span;
            var operation = span[offset];
            if (operation > 1) throw new AbiException($"multiSend entry {i} has operation {operation}");
            var to = Hex.Encode(span.Slice(offset + 1, 20));
            var value = new BigInteger(span.Slice(offset + 21, 32), isUnsigned: true, isBigEndian: true);
            var length = new BigInteger(span.Slice(offset + 53, 32), isUnsigned: true, isBigEndian: true);
            if (length > packed.Length - offset - 85) throw new AbiException($"multiSend entry {i} data runs past the end");
            var data = packed.Slice(offset + 85, (int)length);
            var path = $"{c.Path}.multiSend[{i}]";
            if (operation == 1) o.Add(new DelegateCallAction(path, account, to, data.Length));
            Decode(new Call(account, to, value, data, path, c.Depth + 1), o);
            offset += 85 + (int)length;
        }
    }

    private static DateTimeOffset? Deadline(BigInteger seconds) =>
        seconds >= new BigInteger(DateTimeOffset.MaxValue.ToUnixTimeSeconds()) ? null : DateTimeOffset.FromUnixTimeSeconds((long)seconds);

    private static DateTimeOffset? DaiExpiry(BigInteger seconds) => seconds.IsZero ? null : Deadline(seconds);

    /// <summary>
    /// Permit2: expiration 0 means "the block it is used in" (Permit2 stores block.timestamp), shown as
    /// <see cref="Permit2ThisBlock"/>; values past year 9999 (e.g. the maximum uint48) never expire (null).
    /// </summary>
    internal static DateTimeOffset? Permit2Expiration(BigInteger seconds) => seconds.IsZero ? Permit2ThisBlock : Deadline(seconds);

    public static readonly DateTimeOffset Permit2ThisBlock = DateTimeOffset.UnixEpoch;
}
