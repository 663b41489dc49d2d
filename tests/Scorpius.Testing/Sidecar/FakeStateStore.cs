using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using CommonV1 = Dapr.Client.Autogen.Grpc.v1;

namespace Scorpius.Testing.Sidecar;

/// <summary>
/// An in-memory Dapr state store with the semantics the SDK relies on: string ETags that change on every write,
/// first-write-wins and last-write-wins, atomic transactions, bulk get, and an empty answer for a missing key.
/// An ETag mismatch is answered ABORTED, as daprd does, which the SDK's Try* methods turn into <c>false</c>.
/// </summary>
public sealed class FakeStateStore(string name)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private long version;

    public string Name { get; } = name;

    public sealed record Entry(ByteString Value, string ETag, IReadOnlyDictionary<string, string> Metadata);

    public int Count { get { lock (gate) return entries.Count; } }

    public IReadOnlyCollection<string> Keys { get { lock (gate) return entries.Keys.ToArray(); } }

    public Entry? Get(string key) { lock (gate) return entries.GetValueOrDefault(key); }

    /// <summary>The stored bytes of <paramref name="key"/> as UTF-8 text (state values are JSON), or null.</summary>
    public string? GetString(string key) => Get(key)?.Value.ToStringUtf8();

    internal void Save(IEnumerable<StateItem> items)
    {
        lock (gate)
        {
            foreach (var item in items)
            {
                CheckConcurrency(item.Key, item.Etag, item.Options, isDelete: false);
                Put(item);
            }
        }
    }

    internal void Delete(string key, Etag? etag, StateOptions? options)
    {
        lock (gate)
        {
            CheckConcurrency(key, etag, options, isDelete: true);
            entries.Remove(key);
        }
    }

    internal void ExecuteTransaction(IReadOnlyList<TransactionalStateOperation> operations)
    {
        lock (gate)
        {
            // Validate every operation first: a transaction applies all or nothing.
            foreach (var op in operations)
            {
                if (op.OperationType is not ("upsert" or "delete"))
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"unsupported operation type '{op.OperationType}' in transaction"));
                CheckConcurrency(op.Request.Key, op.Request.Etag, op.Request.Options, op.OperationType == "delete");
            }
            foreach (var op in operations)
            {
                if (op.OperationType == "upsert") Put(op.Request);
                else entries.Remove(op.Request.Key);
            }
        }
    }

    private void Put(StateItem item) =>
        entries[item.Key] = new Entry(item.Value, (++version).ToString(System.Globalization.CultureInfo.InvariantCulture),
            new Dictionary<string, string>(item.Metadata));

    private void CheckConcurrency(string key, Etag? etag, StateOptions? options, bool isDelete)
    {
        if (string.IsNullOrEmpty(key))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "state key cannot be empty"));
        var exists = entries.TryGetValue(key, out var current);
        if (etag is not null && etag.Value.Length > 0)
        {
            if (!exists || current!.ETag != etag.Value)
                throw EtagMismatch(key);
        }
        else if (!isDelete && options?.Concurrency == StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite && exists)
        {
            // First-write-wins without an ETag may only create the key.
            throw EtagMismatch(key);
        }
    }

    private RpcException EtagMismatch(string key) => new(new Status(StatusCode.Aborted,
        $"failed saving state in state store {Name}: possible etag mismatch. error from state store: key {key}"));
}
