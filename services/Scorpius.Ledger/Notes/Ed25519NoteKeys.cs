using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;
using Scorpius.Ledger.Merkle;

namespace Scorpius.Ledger.Notes;

/// <summary>
/// A note verifier key for Ed25519 signatures (signed-note signature type 0x01), written as a vkey:
/// <c>&lt;name&gt;+&lt;8 hex digits key ID&gt;+base64(0x01 ‖ 32-byte public key)</c>. The key ID is
/// SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], big-endian.
/// </summary>
public sealed class NoteVerifierKey
{
    public const byte Ed25519Type = 0x01;
    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;
    private readonly PublicKey publicKey;

    private NoteVerifierKey(string name, byte[] rawPublicKey)
    {
        Name = name;
        RawPublicKey = rawPublicKey;
        KeyId = ComputeKeyId(name, rawPublicKey);
        publicKey = PublicKey.Import(Ed25519, rawPublicKey, KeyBlobFormat.RawPublicKey);
    }

    public string Name { get; }
    public uint KeyId { get; }
    public byte[] RawPublicKey { get; }
    public string KeyIdHex => KeyId.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>The vkey text, e.g. <c>example.com/log+1a2b3c4d+AQ…</c>.</summary>
    public string VKey => $"{Name}+{KeyIdHex}+{Convert.ToBase64String([Ed25519Type, .. RawPublicKey])}";

    public override string ToString() => VKey;

    public static NoteVerifierKey Create(string name, byte[] rawPublicKey)
    {
        if (!SignedNote.IsValidKeyName(name)) throw new ArgumentException($"\"{name}\" is not a valid note key name.", nameof(name));
        if (rawPublicKey.Length != 32) throw new ArgumentException("An Ed25519 public key has 32 bytes.", nameof(rawPublicKey));
        return new NoteVerifierKey(name, rawPublicKey);
    }

    /// <summary>Parses a vkey; throws <see cref="LedgerVerificationException"/> if it is malformed or its key ID does not match.</summary>
    public static NoteVerifierKey Parse(string vkey)
    {
        var parts = vkey.Trim().Split('+', 3); // the base64 key may itself contain '+'
        if (parts.Length != 3 || !SignedNote.IsValidKeyName(parts[0]) || parts[1].Length != 8 ||
            !uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id))
            throw new LedgerVerificationException($"malformed verifier key \"{vkey}\"");
        var blob = StrictBase64.Decode(parts[2], $"verifier key \"{vkey}\"");
        if (blob.Length != 33 || blob[0] != Ed25519Type) throw new LedgerVerificationException($"verifier key \"{vkey}\" is not an Ed25519 note key");
        var key = new NoteVerifierKey(parts[0], blob[1..]);
        if (key.KeyId != id) throw new LedgerVerificationException($"verifier key \"{vkey}\" has key ID {parts[1]}, but its key hashes to {key.KeyIdHex}");
        return key;
    }

    public static uint ComputeKeyId(string name, ReadOnlySpan<byte> rawPublicKey)
    {
        var data = new byte[Encoding.UTF8.GetByteCount(name) + 2 + rawPublicKey.Length];
        var n = Encoding.UTF8.GetBytes(name, data);
        data[n] = (byte)'\n';
        data[n + 1] = Ed25519Type;
        rawPublicKey.CopyTo(data.AsSpan(n + 2));
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(data));
    }

    public bool Matches(NoteSignature signature) => signature.KeyName == Name && signature.KeyId == KeyId;

    public bool Verify(string text, NoteSignature signature) =>
        Matches(signature) && Ed25519.Verify(publicKey, Encoding.UTF8.GetBytes(text), signature.Signature);
}

/// <summary>An Ed25519 note signer. The private key comes from a secret store; this type never persists it.</summary>
public sealed class NoteSigner : IDisposable
{
    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;
    private readonly Key key;

    private NoteSigner(string name, Key key)
    {
        this.key = key;
        Verifier = NoteVerifierKey.Create(name, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public NoteVerifierKey Verifier { get; }

    /// <summary>
    /// Imports an Ed25519 private key as PKCS#8 PEM (what <c>openssl genpkey -algorithm ed25519</c> writes) or as the
    /// base64 of the 32-byte RFC 8032 seed.
    /// </summary>
    public static NoteSigner Import(string keyName, string privateKey)
    {
        if (!SignedNote.IsValidKeyName(keyName)) throw new ArgumentException($"\"{keyName}\" is not a valid note key name.", nameof(keyName));
        var text = privateKey.Trim();
        Key key;
        try
        {
            key = text.StartsWith("-----BEGIN", StringComparison.Ordinal)
                ? Key.Import(Ed25519, Encoding.ASCII.GetBytes(text), KeyBlobFormat.PkixPrivateKeyText)
                : Key.Import(Ed25519, Convert.FromBase64String(text), KeyBlobFormat.RawPrivateKey);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new FormatException("The signing key is neither an Ed25519 PKCS#8 PEM nor a base64 32-byte Ed25519 seed.", ex);
        }
        return new NoteSigner(keyName, key);
    }

    /// <summary>A fresh random key, for tests and key generation.</summary>
    public static NoteSigner Generate(string keyName) =>
        new(keyName, Key.Create(Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <summary>The base64 32-byte seed of a key made by <see cref="Generate"/>.</summary>
    public string ExportSeed() => Convert.ToBase64String(key.Export(KeyBlobFormat.RawPrivateKey));

    public NoteSignature Sign(string text) =>
        new(Verifier.Name, Verifier.KeyId, Ed25519.Sign(key, Encoding.UTF8.GetBytes(text)));

    public SignedNote SignNote(string text) => new(text, [Sign(text)]);

    public void Dispose() => key.Dispose();
}
