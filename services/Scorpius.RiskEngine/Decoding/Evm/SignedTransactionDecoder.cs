using System.Buffers;
using System.Numerics;
using System.Security.Cryptography;

namespace Scorpius.RiskEngine.Decoding.Evm;

/// <summary>
/// Decodes signed raw Ethereum transactions — legacy (pre-EIP-155 and EIP-155), EIP-2930 (0x01), EIP-1559 (0x02),
/// EIP-4844 (0x03, plain or network-wrapper form) and EIP-7702 (0x04) — validating them as consensus clients do,
/// recovering the sender and computing the hash. Anything invalid is a <see cref="DecodeException"/> that names
/// the field and the rule.
/// </summary>
/// <remarks>
/// Rules applied (per <see cref="EvmDecodeOptions.Fork"/>): canonical RLP (minimal integers, minimal length prefixes,
/// no trailing bytes, exact field counts); nonce below 2^64-1 (EIP-2681); gas limit below 2^64; other integers at most
/// 2^256-1; addresses of exactly 20 bytes (or empty for a creation); v ∈ {27, 28} or EIP-155 2·chainId+35/36 for legacy,
/// yParity ∈ {0, 1} for typed transactions; 0 &lt; r, s &lt; n and s ≤ n/2 (EIP-2); chain ids within the EIP-2294 bound;
/// gasLimit × fee cap below 2^256; priority fee not above the fee cap; intrinsic gas (EIP-2028 calldata, EIP-2930 access
/// lists, EIP-3860 initcode, EIP-7702 authorizations, EIP-7623 calldata floor); initcode at most 49152 bytes
/// (EIP-3860); EIP-4844 blob hash versions and counts; Osaka's 2^24 gas cap (EIP-7825). Not checked: anything that
/// needs chain state (balance, account nonce, base fee), and KZG proofs of wrapped blobs.
/// </remarks>
public static class SignedTransactionDecoder
{
    private static readonly string[] LegacyFields =
        ["field 'nonce'", "field 'gasPrice'", "field 'gasLimit'", "field 'to'", "field 'value'", "field 'data'", "field 'v'", "field 'r'", "field 's'"];

    private static readonly string[] AccessListFields =
        ["field 'chainId'", "field 'nonce'", "field 'gasPrice'", "field 'gasLimit'", "field 'to'", "field 'value'", "field 'data'", "field 'accessList'", "field 'yParity'", "field 'r'", "field 's'"];

    private static readonly string[] DynamicFeeFields =
        ["field 'chainId'", "field 'nonce'", "field 'maxPriorityFeePerGas'", "field 'maxFeePerGas'", "field 'gasLimit'", "field 'to'", "field 'value'", "field 'data'", "field 'accessList'", "field 'yParity'", "field 'r'", "field 's'"];

    private static readonly string[] BlobFields =
        ["field 'chainId'", "field 'nonce'", "field 'maxPriorityFeePerGas'", "field 'maxFeePerGas'", "field 'gasLimit'", "field 'to'", "field 'value'", "field 'data'", "field 'accessList'", "field 'maxFeePerBlobGas'", "field 'blobVersionedHashes'", "field 'yParity'", "field 'r'", "field 's'"];

    private static readonly string[] SetCodeFields =
        ["field 'chainId'", "field 'nonce'", "field 'maxPriorityFeePerGas'", "field 'maxFeePerGas'", "field 'gasLimit'", "field 'to'", "field 'value'", "field 'data'", "field 'accessList'", "field 'authorizationList'", "field 'yParity'", "field 'r'", "field 's'"];

    private static readonly string[] AuthorizationFields = ["chainId", "address", "nonce", "yParity", "r", "s"];

    private const int BlobSize = 131072;
    private const int CellsPerExtBlob = 128;

    public static EvmTransaction Decode(string hex) => Decode(hex, EvmDecodeOptions.Default);

    /// <summary>Decodes a hex-encoded signed transaction (the 0x prefix is optional).</summary>
    public static EvmTransaction Decode(string hex, EvmDecodeOptions options) => Decode(TransactionHex.Parse(hex), options);


    public static EvmTransaction Decode(ReadOnlySpan<byte> raw) => Decode(raw, EvmDecodeOptions.Default);

    /// <summary>Decodes a signed transaction in its raw (EIP-2718 envelope or legacy RLP) form.</summary>
    public static EvmTransaction Decode(ReadOnlySpan<byte> raw, EvmDecodeOptions options) => Decode(raw, options, out _);

    /// <summary>As <see cref="Decode(ReadOnlySpan{byte}, EvmDecodeOptions)"/>, also giving the intrinsic gas under the options' fork.</summary>
    internal static EvmTransaction Decode(ReadOnlySpan<byte> raw, EvmDecodeOptions options, out ulong intrinsicGas)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (raw.IsEmpty)
        {
            throw new DecodeException("no transaction: the input is empty");
        }

        var first = raw[0];
        if (first >= 0xc0)
        {
            return DecodeLegacy(raw, options, out intrinsicGas);
        }

        if (first >= 0x80)
        {
            throw new DecodeException(
                $"not a transaction: the input starts with an RLP string (prefix 0x{first:x2}); expected a legacy transaction list or an EIP-2718 type byte 0x00-0x7f");
        }

        if (first is 0 or > 4)
        {
            throw new DecodeException($"unsupported transaction type 0x{first:x2}: known types are 0x01 (EIP-2930), 0x02 (EIP-1559), 0x03 (EIP-4844) and 0x04 (EIP-7702)");
        }

        if (!EvmForkRules.SupportsType(options.Fork, first))
        {
            throw new DecodeException($"transaction type 0x{first:x2} is not valid at {options.Fork}: it activates at {EvmForkRules.ActivationOf(first)}");
        }

        return DecodeTyped(raw, first, options, out intrinsicGas);
    }

    private static EvmTransaction DecodeLegacy(ReadOnlySpan<byte> raw, EvmDecodeOptions options, out ulong intrinsicGas)
    {
        var list = Rlp.ReadItem(raw, 0, raw.Length, "the transaction list");
        if (list.End != raw.Length)
        {
            throw new DecodeException($"RLP: {raw.Length - list.End} trailing byte(s) after the transaction list");
        }

        Span<RlpItem> items = stackalloc RlpItem[9];
        var count = Rlp.ReadList(raw, list, items, LegacyFields, "the transaction");
        if (count != 9)
        {
            throw new DecodeException($"a legacy transaction has 9 fields (nonce, gasPrice, gasLimit, to, value, data, v, r, s); this one has {count} fields");
        }

        var fork = options.Fork;
        var nonce = ReadNonce(raw, items[0], "field 'nonce'");
        var gasPrice = UInt256(raw, items[1], "field 'gasPrice'");
        var gasLimit = ReadGasLimit(raw, items[2]);
        var to = ReadTo(raw, items[3], creationAllowed: true);
        var value = UInt256(raw, items[4], "field 'value'");
        var data = Bytes(raw, items[5], "field 'data'");
        var vBytes = Integer(raw, items[6], "field 'v'", 32, "it is at most 2^256-1");
        var r = Integer(raw, items[7], "field 'r'", 32, "a signature value is at most 2^256-1");
        var s = Integer(raw, items[8], "field 's'", 32, "a signature value is at most 2^256-1");

        if (vBytes.Length > 8)
        {
            throw new DecodeException($"signature: field 'v' is {vBytes.Length} bytes; the EIP-155 chain id it encodes is beyond the EIP-2294 limit");
        }

        var v = ToUInt64(vBytes);
        long? chainId;
        int recoveryId;
        if (v is 27 or 28)
        {
            chainId = null;
            recoveryId = (int)(v - 27);
        }
        else if (v >= 35 && fork >= EvmFork.SpuriousDragon)
        {
            var id = (v - 35) / 2;
            if (id > EvmForkRules.MaxChainId)
            {
                throw new DecodeException($"signature: field 'v' = {v} encodes chain id {id}, beyond the EIP-2294 limit");
            }

            chainId = (long)id;
            recoveryId = (int)((v - 35) % 2);
        }
        else
        {
            var why = v >= 35 ? $" (EIP-155 replay protection is not active at {fork})" : string.Empty;
            throw new DecodeException($"signature: field 'v' = {v} is neither 27/28 nor an EIP-155 value 2·chainId+35/36{why}");
        }

        if (chainId is { } signedFor && options.ExpectedChainId is { } expected && signedFor != expected)
        {
            throw new DecodeException($"chain id {signedFor} (EIP-155, from 'v' = {v}) does not match the expected chain id {expected}");
        }

        CheckSignatureRange(r, s, fork >= EvmFork.Homestead);

        // Signing payload: rlp([nonce, gasPrice, gasLimit, to, value, data]) or, with EIP-155, [... , chainId, 0, 0].
        var unsigned = raw[items[0].Start..items[5].End];
        var extra = chainId is { } c ? Rlp.EncodedUIntLength((ulong)c) + 2 : 0;
        var payloadLength = unsigned.Length + extra;
        var totalLength = Rlp.HeaderLength(payloadLength) + payloadLength;
        byte[]? rented = null;
        var buffer = totalLength <= 1024 ? stackalloc byte[totalLength] : (rented = ArrayPool<byte>.Shared.Rent(totalLength)).AsSpan(0, totalLength);
        Span<byte> signingHash = stackalloc byte[32];
        try
        {
            var offset = Rlp.WriteListHeader(buffer, payloadLength);
            unsigned.CopyTo(buffer[offset..]);
            offset += unsigned.Length;
            if (chainId is { } id)
            {
                offset += Rlp.WriteUInt(buffer[offset..], (ulong)id);
                buffer[offset++] = 0x80;
                buffer[offset] = 0x80;
            }

            Keccak256.Hash(buffer, signingHash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        // Clients recover the sender before they check gas; the reasons given here follow the same order.
        var from = Recover(signingHash, r, s, recoveryId, "the transaction");
        CheckFeeProduct(gasLimit, gasPrice, "gasPrice");
        intrinsicGas = IntrinsicGas(fork, to < 0, data, 0, 0, 0);
        CheckGas(options, gasLimit, intrinsicGas, to < 0, data);
        return new EvmTransaction(
            Type: 0,
            ChainId: chainId,
            Nonce: nonce,
            GasLimit: gasLimit,
            GasPrice: ToBigInteger(gasPrice),
            MaxFeePerGas: null,
            MaxPriorityFeePerGas: null,
            To: to < 0 ? null : EthSignature.ToChecksumAddress(raw.Slice(to, 20)),
            Value: ToBigInteger(value),
            Data: data.ToArray(),
            From: from,
            Hash: HashOf(raw),
            AccessListEntries: 0,
            BlobVersionedHashes: 0,
            Authorizations: []);
    }

    private static EvmTransaction DecodeTyped(ReadOnlySpan<byte> raw, byte type, EvmDecodeOptions options, out ulong intrinsicGas)
    {
        var envelope = Rlp.ReadItem(raw, 1, raw.Length, $"the type-{type} transaction payload");
        if (!envelope.IsList)
        {
            throw new DecodeException($"RLP: the type-{type} transaction payload is an RLP string; expected a list");
        }

        if (envelope.End != raw.Length)
        {
            throw new DecodeException($"RLP: {raw.Length - envelope.End} trailing byte(s) after the type-{type} transaction payload");
        }

        // EIP-4844 network form: 0x03 || rlp([tx_payload_body, (wrapper_version,) blobs, commitments, proofs]).
        var body = envelope;
        var wrapped = false;
        if (type == 3 && envelope.PayloadLength > 0 && Rlp.ReadItem(raw, envelope.PayloadStart, envelope.End, "the blob transaction body").IsList)
        {
            wrapped = true;
            body = Rlp.ReadItem(raw, envelope.PayloadStart, envelope.End, "the blob transaction body");
        }

        var names = type switch
        {
            1 => AccessListFields,
            2 => DynamicFeeFields,
            3 => BlobFields,
            _ => SetCodeFields,
        };
        Span<RlpItem> items = stackalloc RlpItem[14];
        var count = Rlp.ReadList(raw, body, items, names, $"the type-{type} transaction");
        if (count != names.Length)
        {
            throw new DecodeException(
                $"a type-{type} transaction has {names.Length} fields ({string.Join(", ", names.Select(n => n[7..^1]))}); this one has {count} fields");
        }

        var fork = options.Fork;
        var chainIdBytes = Integer(raw, items[0], "field 'chainId'", 32, "it is at most 2^256-1");
        var chainId = ToChainId(chainIdBytes, "field 'chainId'");
        if (options.ExpectedChainId is { } expected && chainId != expected)
        {
            throw new DecodeException($"chain id {chainId} does not match the expected chain id {expected}");
        }

        var nonce = ReadNonce(raw, items[1], "field 'nonce'");
        ReadOnlySpan<byte> gasPrice = default, maxPriority = default, maxFee = default;
        int next;
        if (type == 1)
        {
            gasPrice = UInt256(raw, items[2], "field 'gasPrice'");
            next = 3;
        }
        else
        {
            maxPriority = UInt256(raw, items[2], "field 'maxPriorityFeePerGas'");
            maxFee = UInt256(raw, items[3], "field 'maxFeePerGas'");
            next = 4;
        }

        var gasLimit = ReadGasLimit(raw, items[next]);
        var to = ReadTo(raw, items[next + 1], creationAllowed: type <= 2);
        var value = UInt256(raw, items[next + 2], "field 'value'");
        var data = Bytes(raw, items[next + 3], "field 'data'");
        var (accessAddresses, accessKeys) = ReadAccessList(raw, items[next + 4]);

        var blobHashes = 0;
        List<SetCodeAuthorization> authorizations = [];
        if (type == 3)
        {
            UInt256(raw, items[9], "field 'maxFeePerBlobGas'");
            blobHashes = ReadBlobHashes(raw, items[10], fork);
            if (wrapped)
            {
                CheckBlobWrapper(raw, envelope, items[10], blobHashes, fork);
            }
        }
        else if (type == 4)
        {
            authorizations = ReadAuthorizations(raw, items[9], options.MaxAuthorizations);
        }

        var yParityBytes = Integer(raw, items[count - 3], "field 'yParity'", 1, "it must be 0 or 1");
        var yParity = yParityBytes.IsEmpty ? 0 : yParityBytes[0];
        if (yParity > 1)
        {
            throw new DecodeException($"signature: field 'yParity' must be 0 or 1, not {yParity}");
        }

        var r = Integer(raw, items[count - 2], "field 'r'", 32, "a signature value is at most 2^256-1");
        var s = Integer(raw, items[count - 1], "field 's'", 32, "a signature value is at most 2^256-1");
        CheckSignatureRange(r, s, lowS: true);

        // Signing hash: keccak256(type || rlp([fields before yParity])).
        var unsigned = raw[items[0].Start..items[count - 4].End];
        var payloadLength = unsigned.Length;
        var totalLength = Rlp.HeaderLength(payloadLength) + payloadLength;
        byte[]? rented = null;
        var buffer = totalLength <= 1024 ? stackalloc byte[totalLength] : (rented = ArrayPool<byte>.Shared.Rent(totalLength)).AsSpan(0, totalLength);
        Span<byte> signingHash = stackalloc byte[32];
        try
        {
            var offset = Rlp.WriteListHeader(buffer, payloadLength);
            unsigned.CopyTo(buffer[offset..]);
            Keccak256.Hash(type, buffer, signingHash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        var from = Recover(signingHash, r, s, yParity, "the transaction");
        if (type == 1)
        {
            CheckFeeProduct(gasLimit, gasPrice, "gasPrice");
        }
        else
        {
            if (Compare(maxPriority, maxFee) > 0)
            {
                throw new DecodeException(
                    $"field 'maxPriorityFeePerGas' ({ToBigInteger(maxPriority)}) is greater than field 'maxFeePerGas' ({ToBigInteger(maxFee)})");
            }

            CheckFeeProduct(gasLimit, maxFee, "maxFeePerGas");
        }

        intrinsicGas = IntrinsicGas(fork, to < 0, data, accessAddresses, accessKeys, authorizations.Count);
        CheckGas(options, gasLimit, intrinsicGas, to < 0, data);
        string hash;
        if (wrapped)
        {
            Span<byte> digest = stackalloc byte[32];
            Keccak256.Hash(type, raw[body.Start..body.End], digest);
            hash = "0x" + Convert.ToHexStringLower(digest);
        }
        else
        {
            hash = HashOf(raw);
        }

        return new EvmTransaction(
            Type: type,
            ChainId: chainId,
            Nonce: nonce,
            GasLimit: gasLimit,
            GasPrice: type == 1 ? ToBigInteger(gasPrice) : null,
            MaxFeePerGas: type == 1 ? null : ToBigInteger(maxFee),
            MaxPriorityFeePerGas: type == 1 ? null : ToBigInteger(maxPriority),
            To: to < 0 ? null : EthSignature.ToChecksumAddress(raw.Slice(to, 20)),
            Value: ToBigInteger(value),
            Data: data.ToArray(),
            From: from,
            Hash: hash,
            AccessListEntries: accessAddresses,
            BlobVersionedHashes: blobHashes,
            Authorizations: authorizations);
    }

    /// <summary>Reads one list entry that must hold exactly <c>items.Length</c> items (an access-list pair, an authorization tuple).</summary>
    private static RlpItem ReadTuple(ReadOnlySpan<byte> raw, int pos, int end, Span<RlpItem> items, string what, string shape)
    {
        var entry = Rlp.ReadItem(raw, pos, end, what);
        if (!entry.IsList)
        {
            throw new DecodeException($"{what} is an RLP string; expected {shape}");
        }

        var n = Rlp.ReadList(raw, entry, items, [], what);
        if (n != items.Length)
        {
            throw new DecodeException($"{what} has {n} items; expected {shape}");
        }

        return entry;
    }

    private static (int Addresses, int StorageKeys) ReadAccessList(ReadOnlySpan<byte> raw, RlpItem list)
    {
        if (!list.IsList)
        {
            throw new DecodeException("field 'accessList' is an RLP string; expected a list of [address, storageKeys] entries");
        }

        var addresses = 0;
        var keys = 0;
        var pos = list.PayloadStart;
        Span<RlpItem> pair = stackalloc RlpItem[2];
        while (pos < list.End)
        {
            var entry = ReadTuple(raw, pos, list.End, pair, $"accessList entry {addresses}", "[address, storageKeys]");

            if (pair[0].IsList || pair[0].PayloadLength != 20)
            {
                throw new DecodeException(
                    $"accessList entry {addresses}: the address is {(pair[0].IsList ? "an RLP list" : $"{pair[0].PayloadLength} bytes")}; expected exactly 20 bytes");
            }

            if (!pair[1].IsList)
            {
                throw new DecodeException($"accessList entry {addresses}: storageKeys is an RLP string; expected a list of 32-byte keys");
            }

            var keyPos = pair[1].PayloadStart;
            var keyIndex = 0;
            while (keyPos < pair[1].End)
            {
                var key = Rlp.ReadItem(raw, keyPos, pair[1].End, $"accessList entry {addresses} storage key {keyIndex}");
                if (key.IsList || key.PayloadLength != 32)
                {
                    throw new DecodeException(
                        $"accessList entry {addresses} storage key {keyIndex} is {(key.IsList ? "an RLP list" : $"{key.PayloadLength} bytes")}; expected exactly 32 bytes");
                }

                keyPos = key.End;
                keyIndex++;
            }

            keys += keyIndex;
            addresses++;
            pos = entry.End;
        }

        return (addresses, keys);
    }

    private static int ReadBlobHashes(ReadOnlySpan<byte> raw, RlpItem list, EvmFork fork)
    {
        if (!list.IsList)
        {
            throw new DecodeException("field 'blobVersionedHashes' is an RLP string; expected a list of 32-byte hashes");
        }

        var count = 0;
        var pos = list.PayloadStart;
        while (pos < list.End)
        {
            var hash = Rlp.ReadItem(raw, pos, list.End, $"blobVersionedHashes[{count}]");
            if (hash.IsList || hash.PayloadLength != 32)
            {
                throw new DecodeException($"blobVersionedHashes[{count}] is {(hash.IsList ? "an RLP list" : $"{hash.PayloadLength} bytes")}; expected exactly 32 bytes");
            }

            if (raw[hash.PayloadStart] != 0x01)
            {
                throw new DecodeException($"blobVersionedHashes[{count}] has version 0x{raw[hash.PayloadStart]:x2}; EIP-4844 requires 0x01 (KZG)");
            }

            pos = hash.End;
            count++;
        }

        if (count == 0)
        {
            throw new DecodeException("field 'blobVersionedHashes' is empty: a blob transaction must carry at least one blob");
        }

        var max = EvmForkRules.MaxBlobsPerTransaction(fork);
        if (count > max)
        {
            throw new DecodeException($"field 'blobVersionedHashes' lists {count} blobs; at most {max} per transaction at {fork}");
        }

        return count;
    }

    /// <summary>Checks the sidecar of a wrapped blob transaction: counts, sizes and that each commitment matches its versioned hash.</summary>
    private static void CheckBlobWrapper(ReadOnlySpan<byte> raw, RlpItem envelope, RlpItem hashList, int blobCount, EvmFork fork)
    {
        Span<RlpItem> parts = stackalloc RlpItem[5];
        var n = Rlp.ReadList(raw, envelope, parts, [], "the blob transaction wrapper");
        int blobsIndex;
        var proofsPerBlob = 1;
        if (n == 4)
        {
            blobsIndex = 1;
        }
        else if (n == 5)
        {
            var version = Integer(raw, parts[1], "the blob wrapper version", 1, "it is a single byte");
            if (version.Length != 1 || version[0] != 1)
            {
                throw new DecodeException($"blob transaction wrapper version {(version.IsEmpty ? 0 : version[0])} is unknown; only version 1 (EIP-7594 cell proofs) exists");
            }

            if (fork < EvmFork.Osaka)
            {
                throw new DecodeException($"blob transaction wrapper version 1 (EIP-7594 cell proofs) is not valid at {fork}; it activates at Osaka");
            }

            blobsIndex = 2;
            proofsPerBlob = CellsPerExtBlob;
        }
        else
        {
            throw new DecodeException($"the blob transaction wrapper has {n} items; expected [tx, blobs, commitments, proofs] or [tx, version, blobs, commitments, cellProofs]");
        }

        var blobs = parts[blobsIndex];
        var commitments = parts[blobsIndex + 1];
        var proofs = parts[blobsIndex + 2];
        CheckFixedItems(raw, blobs, blobCount, BlobSize, "blobs");
        CheckFixedItems(raw, commitments, blobCount, 48, "commitments");
        CheckFixedItems(raw, proofs, blobCount * proofsPerBlob, 48, "proofs");

        Span<byte> digest = stackalloc byte[32];
        var commitmentPos = commitments.PayloadStart;
        var hashPos = hashList.PayloadStart;
        for (var i = 0; i < blobCount; i++)
        {
            var commitment = Rlp.ReadItem(raw, commitmentPos, commitments.End, $"commitments[{i}]");
            var hash = Rlp.ReadItem(raw, hashPos, hashList.End, $"blobVersionedHashes[{i}]");
            SHA256.HashData(raw.Slice(commitment.PayloadStart, 48), digest);
            if (!raw.Slice(hash.PayloadStart + 1, 31).SequenceEqual(digest[1..]))
            {
                throw new DecodeException($"blobVersionedHashes[{i}] does not match the versioned hash of commitments[{i}]");
            }

            commitmentPos = commitment.End;
            hashPos = hash.End;
        }
    }

    private static void CheckFixedItems(ReadOnlySpan<byte> raw, RlpItem list, int expectedCount, int size, string what)
    {
        if (!list.IsList)
        {
            throw new DecodeException($"blob wrapper {what} is an RLP string; expected a list");
        }

        var count = 0;
        var pos = list.PayloadStart;
        while (pos < list.End)
        {
            var item = Rlp.ReadItem(raw, pos, list.End, $"{what}[{count}]");
            if (item.IsList || item.PayloadLength != size)
            {
                throw new DecodeException($"blob wrapper {what}[{count}] is {(item.IsList ? "an RLP list" : $"{item.PayloadLength} bytes")}; expected {size} bytes");
            }

            pos = item.End;
            count++;
        }

        if (count != expectedCount)
        {
            throw new DecodeException($"blob wrapper has {count} {what}; expected {expectedCount} for the blob(s) listed in 'blobVersionedHashes'");
        }
    }

    private static List<SetCodeAuthorization> ReadAuthorizations(ReadOnlySpan<byte> raw, RlpItem list, int max)
    {
        if (!list.IsList)
        {
            throw new DecodeException("field 'authorizationList' is an RLP string; expected a list of authorizations");
        }

        var result = new List<SetCodeAuthorization>();
        Span<RlpItem> fields = stackalloc RlpItem[6];
        Span<byte> address = stackalloc byte[20];
        Span<byte> digest = stackalloc byte[32];
        Span<byte> message = stackalloc byte[2 + 33 + 21 + 9];
        var pos = list.PayloadStart;
        while (pos < list.End)
        {
            var index = result.Count;
            if (index == max)
            {
                throw new DecodeException($"field 'authorizationList' holds more than {max} authorizations; not decoded (resource limit, EvmDecodeOptions.MaxAuthorizations)");
            }

            var entry = ReadTuple(raw, pos, list.End, fields, $"authorizationList[{index}]", "[chainId, address, nonce, yParity, r, s]");

            var what = $"authorizationList[{index}]";
            var chainIdBytes = Integer(raw, fields[0], $"{what}.{AuthorizationFields[0]}", 32, "it is at most 2^256-1");
            var chainId = ToChainId(chainIdBytes, $"{what}.chainId");
            if (fields[1].IsList || fields[1].PayloadLength != 20)
            {
                throw new DecodeException($"{what}.address is {(fields[1].IsList ? "an RLP list" : $"{fields[1].PayloadLength} bytes")}; expected exactly 20 bytes");
            }

            var target = raw.Slice(fields[1].PayloadStart, 20);
            var nonceBytes = Integer(raw, fields[2], $"{what}.nonce", 8, "an authorization nonce is below 2^64");
            var nonce = ToUInt64(nonceBytes);
            var yParityBytes = Integer(raw, fields[3], $"{what}.yParity", 1, "it is at most 2^8-1");
            var r = Integer(raw, fields[4], $"{what}.r", 32, "a signature value is at most 2^256-1");
            var s = Integer(raw, fields[5], $"{what}.s", 32, "a signature value is at most 2^256-1");

            // An authorization that can never take effect (bad signature, nonce 2^64-1) keeps a null authority; the
            // transaction itself stays valid, as in clients, which skip such an authorization.
            string? authority = null;
            var yParity = yParityBytes.IsEmpty ? 0 : yParityBytes[0];
            if (yParity <= 1 && nonce != ulong.MaxValue && EthSignature.CheckRange(r, s, lowS: true) is null)
            {
                // keccak256(0x05 || rlp([chain_id, address, nonce]))
                var unsigned = raw[fields[0].Start..fields[2].End];
                var offset = Rlp.WriteListHeader(message, unsigned.Length);
                unsigned.CopyTo(message[offset..]);
                Keccak256.Hash(0x05, message[..(offset + unsigned.Length)], digest);
                if (EthSignature.TryRecoverAddress(digest, r, s, yParity, address))
                {
                    authority = EthSignature.ToChecksumAddress(address);
                }
            }

            result.Add(new SetCodeAuthorization(chainId, EthSignature.ToChecksumAddress(target), nonce, authority));
            pos = entry.End;
        }

        if (result.Count == 0)
        {
            throw new DecodeException("field 'authorizationList' is empty: an EIP-7702 transaction must carry at least one authorization");
        }

        return result;
    }

    /// <summary>
    /// Intrinsic gas: 21000 (+32000 for a creation from Homestead), calldata 4 per zero byte and 16 (68 before
    /// Istanbul, EIP-2028) per other byte, 2400 per access-list address and 1900 per storage key (EIP-2930), 2 per
    /// initcode word from Shanghai (EIP-3860), 25000 per EIP-7702 authorization.
    /// </summary>
    internal static ulong IntrinsicGas(EvmFork fork, bool isCreate, ReadOnlySpan<byte> data, int accessListAddresses, int accessListKeys, int authorizations)
    {
        ulong gas = 21000;
        if (isCreate && fork >= EvmFork.Homestead)
        {
            gas += 32000;
        }

        var zeros = (ulong)data.Count((byte)0);
        var nonZeros = (ulong)data.Length - zeros;
        gas += (zeros * 4) + (nonZeros * (fork >= EvmFork.Istanbul ? 16UL : 68UL));
        gas += ((ulong)accessListAddresses * 2400) + ((ulong)accessListKeys * 1900);
        if (isCreate && fork >= EvmFork.Shanghai)
        {
            gas += 2 * (((ulong)data.Length + 31) / 32);
        }

        gas += (ulong)authorizations * 25000;
        return gas;
    }

    /// <summary>EIP-7623 (Prague) calldata floor: 21000 + 10 per token, a token being a zero byte or a quarter of any other byte.</summary>
    internal static ulong CalldataFloorGas(ReadOnlySpan<byte> data)
    {
        var zeros = (ulong)data.Count((byte)0);
        var tokens = zeros + (((ulong)data.Length - zeros) * 4);
        return 21000 + (10 * tokens);
    }

    private static void CheckGas(EvmDecodeOptions options, ulong gasLimit, ulong intrinsicGas, bool isCreate, ReadOnlySpan<byte> data)
    {
        var fork = options.Fork;
        if (isCreate && fork >= EvmFork.Shanghai && data.Length > EvmForkRules.MaxInitCodeSize)
        {
            throw new DecodeException($"field 'data': initcode of {data.Length} bytes exceeds the {EvmForkRules.MaxInitCodeSize}-byte limit (EIP-3860)");
        }

        if (fork >= EvmFork.Osaka && gasLimit > EvmForkRules.MaxTransactionGasOsaka)
        {
            throw new DecodeException($"field 'gasLimit' {gasLimit} exceeds the transaction gas cap 2^24 (EIP-7825, Osaka)");
        }

        if (!options.CheckIntrinsicGas)
        {
            return;
        }

        if (gasLimit < intrinsicGas)
        {
            throw new DecodeException($"field 'gasLimit' {gasLimit} is below the intrinsic gas {intrinsicGas} of this transaction at {fork}");
        }

        if (fork >= EvmFork.Prague)
        {
            var floor = CalldataFloorGas(data);
            if (gasLimit < floor)
            {
                throw new DecodeException($"field 'gasLimit' {gasLimit} is below the intrinsic calldata floor {floor} (EIP-7623, Prague)");
            }
        }
    }

    private static void CheckFeeProduct(ulong gasLimit, ReadOnlySpan<byte> price, string priceName)
    {
        // gasLimit < 2^64; the product can only reach 2^256 when the price has more than 24 bytes.
        if (price.Length <= 24 || gasLimit == 0)
        {
            return;
        }

        if ((new BigInteger(gasLimit) * ToBigInteger(price)).GetBitLength() > 256)
        {
            throw new DecodeException($"field 'gasLimit' × field '{priceName}' exceeds 2^256-1");
        }
    }

    private static void CheckSignatureRange(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, bool lowS)
    {
        if (EthSignature.CheckRange(r, s, lowS) is { } problem)
        {
            throw new DecodeException($"signature: {problem}");
        }
    }

    private static string Recover(ReadOnlySpan<byte> signingHash, ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, int recoveryId, string what)
    {
        Span<byte> address = stackalloc byte[20];
        if (!EthSignature.TryRecoverAddress(signingHash, r, s, recoveryId, address))
        {
            throw new DecodeException($"signature: no public key can be recovered from the signature of {what} (invalid curve point)");
        }

        return EthSignature.ToChecksumAddress(address);
    }

    private static string HashOf(ReadOnlySpan<byte> raw)
    {
        Span<byte> digest = stackalloc byte[32];
        Keccak256.Hash(raw, digest);
        return "0x" + Convert.ToHexStringLower(digest);
    }

    /// <summary>A canonical unsigned integer: an RLP string without leading zero bytes and at most <paramref name="maxBytes"/> long.</summary>
    private static ReadOnlySpan<byte> Integer(ReadOnlySpan<byte> raw, RlpItem item, string field, int maxBytes, string limit)
    {
        if (item.IsList)
        {
            throw new DecodeException($"{field} is an RLP list; expected an integer");
        }

        var bytes = raw.Slice(item.PayloadStart, item.PayloadLength);
        if (bytes.Length > 0 && bytes[0] == 0)
        {
            throw new DecodeException($"{field} has leading zero bytes (non-canonical integer encoding)");
        }

        if (bytes.Length > maxBytes)
        {
            throw new DecodeException($"{field} is {bytes.Length} bytes long: {limit}");
        }

        return bytes;
    }

    private static ReadOnlySpan<byte> UInt256(ReadOnlySpan<byte> raw, RlpItem item, string field) =>
        Integer(raw, item, field, 32, "it is at most 2^256-1");

    private static ulong ReadNonce(ReadOnlySpan<byte> raw, RlpItem item, string field)
    {
        var bytes = Integer(raw, item, field, 8, "a nonce is below 2^64-1 (EIP-2681)");
        var nonce = ToUInt64(bytes);
        if (nonce == ulong.MaxValue)
        {
            throw new DecodeException($"{field} is 2^64-1; EIP-2681 requires a nonce below 2^64-1");
        }

        return nonce;
    }

    private static ulong ReadGasLimit(ReadOnlySpan<byte> raw, RlpItem item) =>
        ToUInt64(Integer(raw, item, "field 'gasLimit'", 8, "a gas limit is below 2^64"));

    /// <summary>Offset of the 20-byte recipient in <paramref name="raw"/>, or -1 for a contract creation.</summary>
    private static int ReadTo(ReadOnlySpan<byte> raw, RlpItem item, bool creationAllowed)
    {
        if (item.IsList)
        {
            throw new DecodeException("field 'to' is an RLP list; expected a 20-byte address");
        }

        if (item.PayloadLength == 0)
        {
            if (!creationAllowed)
            {
                throw new DecodeException("field 'to' is empty: this transaction type cannot create a contract, a 20-byte address is required");
            }

            return -1;
        }

        if (item.PayloadLength != 20)
        {
            throw new DecodeException($"field 'to' is {item.PayloadLength} bytes; an address is exactly 20 bytes (or empty for a contract creation)");
        }

        return item.PayloadStart;
    }

    private static ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> raw, RlpItem item, string field)
    {
        if (item.IsList)
        {
            throw new DecodeException($"{field} is an RLP list; expected a byte string");
        }

        return raw.Slice(item.PayloadStart, item.PayloadLength);
    }

    private static long ToChainId(ReadOnlySpan<byte> bytes, string field)
    {
        if (bytes.Length > 8 || ToUInt64(bytes) > EvmForkRules.MaxChainId)
        {
            throw new DecodeException($"{field} {ToBigInteger(bytes)} is beyond the EIP-2294 chain id limit {EvmForkRules.MaxChainId}");
        }

        return (long)ToUInt64(bytes);
    }

    private static ulong ToUInt64(ReadOnlySpan<byte> bigEndian)
    {
        ulong value = 0;
        foreach (var b in bigEndian)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private static BigInteger ToBigInteger(ReadOnlySpan<byte> bigEndian) =>
        bigEndian.IsEmpty ? BigInteger.Zero : new BigInteger(bigEndian, isUnsigned: true, isBigEndian: true);

    /// <summary>Compares two minimal big-endian unsigned integers.</summary>
    private static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.SequenceCompareTo(b);
}
