using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using DaprGrpc = Dapr.Client.Autogen.Grpc.v1.Dapr;

namespace Scorpius.Testing.Sidecar;

/// <summary>
/// The gRPC face of the fake sidecar: <c>dapr.proto.runtime.v1.Dapr</c>, bound by hand because Dapr.Protos ships
/// the client only. It models state, publish, bindings and secrets; every other method of the service answers
/// UNIMPLEMENTED (ASP.NET Core gRPC does that for methods that are not bound), so no test passes by accident.
/// Handler names must equal the proto method names: the binder finds them by reflection.
/// </summary>
[BindServiceMethod(typeof(FakeDaprService), nameof(BindService))]
public class FakeDaprService(FakeDaprSidecar sidecar)
{
    private static readonly Empty EmptyResponse = new();

    public virtual Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context)
    {
        var entry = sidecar.Record(context, request).StateStore(request.StoreName).Get(request.Key);
        // A missing key is an empty answer, not an error: the SDK then returns default.
        return Task.FromResult(entry is null ? new GetStateResponse() : new GetStateResponse { Data = entry.Value, Etag = entry.ETag });
    }

    public virtual Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context)
    {
        var store = sidecar.Record(context, request).StateStore(request.StoreName);
        var response = new GetBulkStateResponse();
        foreach (var key in request.Keys)
        {
            var entry = store.Get(key);
            response.Items.Add(entry is null ? new BulkStateItem { Key = key } : new BulkStateItem { Key = key, Data = entry.Value, Etag = entry.ETag });
        }
        return Task.FromResult(response);
    }

    public virtual Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context)
    {
        sidecar.Record(context, request).StateStore(request.StoreName).Save(request.States);
        return Task.FromResult(EmptyResponse);
    }

    public virtual Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context)
    {
        sidecar.Record(context, request).StateStore(request.StoreName).Delete(request.Key, request.Etag, request.Options);
        return Task.FromResult(EmptyResponse);
    }

    public virtual Task<Empty> DeleteBulkState(DeleteBulkStateRequest request, ServerCallContext context)
    {
        var store = sidecar.Record(context, request).StateStore(request.StoreName);
        foreach (var item in request.States) store.Delete(item.Key, item.Etag, item.Options);
        return Task.FromResult(EmptyResponse);
    }

    public virtual Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context)
    {
        sidecar.Record(context, request).StateStore(request.StoreName).ExecuteTransaction(request.Operations);
        return Task.FromResult(EmptyResponse);
    }

    public virtual Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context)
    {
        sidecar.Record(context, request).Publish(request);
        return Task.FromResult(EmptyResponse);
    }

    public virtual async Task<InvokeBindingResponse> InvokeBinding(InvokeBindingRequest request, ServerCallContext context) =>
        await sidecar.Record(context, request).InvokeBindingAsync(request, context.CancellationToken);

    public virtual Task<GetSecretResponse> GetSecret(GetSecretRequest request, ServerCallContext context)
    {
        var store = sidecar.Record(context, request).SecretStore(request.StoreName);
        if (!store.TryGetValue(request.Key, out var values))
            throw new RpcException(new Status(StatusCode.Internal,
                $"failed getting secret with key {request.Key} from secret store {request.StoreName}: secret {request.Key} not found"));
        var response = new GetSecretResponse();
        response.Data.Add(values);
        return Task.FromResult(response);
    }

    public virtual Task<GetBulkSecretResponse> GetBulkSecret(GetBulkSecretRequest request, ServerCallContext context)
    {
        var store = sidecar.Record(context, request).SecretStore(request.StoreName);
        var response = new GetBulkSecretResponse();
        foreach (var (key, values) in store)
        {
            var secret = new SecretResponse();
            secret.Secrets.Add(values);
            response.Data.Add(key, secret);
        }
        return Task.FromResult(response);
    }

    public static void BindService(ServiceBinderBase binder, FakeDaprService? service)
    {
        // The handler delegates are ignored by ASP.NET Core's binder (it resolves the methods above by name).
        binder.AddMethod(Unary<GetStateRequest, GetStateResponse>(nameof(GetState)), (UnaryServerMethod<GetStateRequest, GetStateResponse>)null!);
        binder.AddMethod(Unary<GetBulkStateRequest, GetBulkStateResponse>(nameof(GetBulkState)), (UnaryServerMethod<GetBulkStateRequest, GetBulkStateResponse>)null!);
        binder.AddMethod(Unary<SaveStateRequest, Empty>(nameof(SaveState)), (UnaryServerMethod<SaveStateRequest, Empty>)null!);
        binder.AddMethod(Unary<DeleteStateRequest, Empty>(nameof(DeleteState)), (UnaryServerMethod<DeleteStateRequest, Empty>)null!);
        binder.AddMethod(Unary<DeleteBulkStateRequest, Empty>(nameof(DeleteBulkState)), (UnaryServerMethod<DeleteBulkStateRequest, Empty>)null!);
        binder.AddMethod(Unary<ExecuteStateTransactionRequest, Empty>(nameof(ExecuteStateTransaction)), (UnaryServerMethod<ExecuteStateTransactionRequest, Empty>)null!);
        binder.AddMethod(Unary<PublishEventRequest, Empty>(nameof(PublishEvent)), (UnaryServerMethod<PublishEventRequest, Empty>)null!);
        binder.AddMethod(Unary<InvokeBindingRequest, InvokeBindingResponse>(nameof(InvokeBinding)), (UnaryServerMethod<InvokeBindingRequest, InvokeBindingResponse>)null!);
        binder.AddMethod(Unary<GetSecretRequest, GetSecretResponse>(nameof(GetSecret)), (UnaryServerMethod<GetSecretRequest, GetSecretResponse>)null!);
        binder.AddMethod(Unary<GetBulkSecretRequest, GetBulkSecretResponse>(nameof(GetBulkSecret)), (UnaryServerMethod<GetBulkSecretRequest, GetBulkSecretResponse>)null!);
    }

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        // Fail loudly if the proto ever renames a method we model.
        if (DaprGrpc.Descriptor.FindMethodByName(name) is null)
            throw new InvalidOperationException($"dapr.proto.runtime.v1.Dapr has no method {name}: the Dapr.Protos version changed.");
        return new Method<TRequest, TResponse>(MethodType.Unary, DaprGrpc.Descriptor.FullName, name,
            Marshallers.Create(m => m.ToByteArray(), new MessageParser<TRequest>(() => new TRequest()).ParseFrom),
            Marshallers.Create(m => m.ToByteArray(), new MessageParser<TResponse>(() => new TResponse()).ParseFrom));
    }
}
