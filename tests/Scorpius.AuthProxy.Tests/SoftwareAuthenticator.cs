using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Scorpius.AuthProxy.Tests;

/// <summary>
/// A WebAuthn authenticator in software: one ECDSA P-256 credential, attestation format "none", and a signature counter
/// the test can rewind. Builds the browser's PublicKeyCredential JSON for registration and assertion.
/// </summary>
public sealed class SoftwareAuthenticator(string rpId = "localhost", string origin = "http://localhost:3000") : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(32);
    public uint SignCount { get; set; }

    public JsonObject Register(JsonObject creationOptions)
    {
        var clientData = ClientData("webauthn.create", creationOptions["challenge"]!.GetValue<string>());
        var p = key.ExportParameters(false);
        var cose = new CborWriter(CborConformanceMode.Lax);
        cose.WriteStartMap(5);
        cose.WriteInt32(1); cose.WriteInt32(2);     // kty: EC2
        cose.WriteInt32(3); cose.WriteInt32(-7);    // alg: ES256
        cose.WriteInt32(-1); cose.WriteInt32(1);    // crv: P-256
        cose.WriteInt32(-2); cose.WriteByteString(p.Q.X!);
        cose.WriteInt32(-3); cose.WriteByteString(p.Q.Y!);
        cose.WriteEndMap();

        var attested = new List<byte>();
        attested.AddRange(new byte[16]); // AAGUID
        attested.AddRange([(byte)(CredentialId.Length >> 8), (byte)CredentialId.Length]);
        attested.AddRange(CredentialId);
        attested.AddRange(cose.Encode());
        var authData = AuthenticatorData(0x45, [.. attested]); // UP | UV | AT

        var attestation = new CborWriter(CborConformanceMode.Lax);
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt"); attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt"); attestation.WriteStartMap(0); attestation.WriteEndMap();
        attestation.WriteTextString("authData"); attestation.WriteByteString(authData);
        attestation.WriteEndMap();

        return Credential(new JsonObject
        {
            ["attestationObject"] = IdentityClient.Base64Url(attestation.Encode()),
            ["clientDataJSON"] = IdentityClient.Base64Url(clientData),
        });
    }

    public JsonObject Assert(JsonObject requestOptions, bool corruptSignature = false)
    {
        var clientData = ClientData("webauthn.get", requestOptions["challenge"]!.GetValue<string>());
        var authData = AuthenticatorData(0x05, []); // UP | UV
        var signature = key.SignData([.. authData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        if (corruptSignature) signature[^1] ^= 0x01;
        return Credential(new JsonObject
        {
            ["authenticatorData"] = IdentityClient.Base64Url(authData),
            ["clientDataJSON"] = IdentityClient.Base64Url(clientData),
            ["signature"] = IdentityClient.Base64Url(signature),
        });
    }

    private byte[] ClientData(string type, string challenge) => Encoding.UTF8.GetBytes(
        new JsonObject { ["type"] = type, ["challenge"] = challenge, ["origin"] = origin, ["crossOrigin"] = false }.ToJsonString());

    private byte[] AuthenticatorData(byte flags, byte[] attested)
    {
        var counter = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(counter, SignCount);
        return [.. SHA256.HashData(Encoding.UTF8.GetBytes(rpId)), flags, .. counter, .. attested];
    }

    private JsonObject Credential(JsonObject response) => new()
    {
        ["id"] = IdentityClient.Base64Url(CredentialId),
        ["rawId"] = IdentityClient.Base64Url(CredentialId),
        ["type"] = "public-key",
        ["response"] = response,
        ["clientExtensionResults"] = new JsonObject(),
    };

    public void Dispose() => key.Dispose();
}
