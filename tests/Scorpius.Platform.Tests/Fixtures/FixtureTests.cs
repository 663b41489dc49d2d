using System.Text.Json.Nodes;
using Npgsql;
using Scorpius.Testing.Fixtures;

namespace Scorpius.Platform.Tests.Fixtures;

/// <summary>The real components the later suites stand on: PostgreSQL and a local Ethereum node.</summary>
public sealed class FixtureTests(PostgresFixture postgres, AnvilFixture anvil) : IClassFixture<PostgresFixture>, IClassFixture<AnvilFixture>
{
    [Fact]
    public async Task Postgres_gives_each_test_its_own_database()
    {
        var first = await postgres.Server.CreateDatabaseAsync("fixture");
        var second = await postgres.Server.CreateDatabaseAsync("fixture");
        Assert.NotEqual(new NpgsqlConnectionStringBuilder(first).Database, new NpgsqlConnectionStringBuilder(second).Database);

        await using var connection = new NpgsqlConnection(first);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand("CREATE TABLE t (id int primary key); INSERT INTO t VALUES (1), (2);", connection);
        await create.ExecuteNonQueryAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM t", connection);
        Assert.Equal(2L, await count.ExecuteScalarAsync());
        Assert.True(connection.PostgreSqlVersion.Major >= 15);
    }

    [Fact]
    public async Task A_throwaway_cluster_starts_with_initdb_and_stops_cleanly()
    {
        // Always exercises the initdb/pg_ctl path, even when the suite runs against the server scripts/test.sh started.
        await using var server = await PostgresServer.StartThrowawayAsync();
        Assert.True(server.IsThrowaway);
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SHOW fsync", connection);
        Assert.Equal("off", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Anvil_is_a_real_node_that_mines_a_transfer()
    {
        var node = anvil.Node;
        Assert.Equal("0x7a69", (await node.RpcAsync("eth_chainId", []))!.GetValue<string>()); // 31337
        var recipient = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

        var txHash = (await node.RpcAsync("eth_sendTransaction",
            [new JsonObject { ["from"] = AnvilNode.DevAccount0Address, ["to"] = recipient, ["value"] = "0xde0b6b3a7640000" }]))!.GetValue<string>();
        // anvil mines each transaction at once (automine); poll briefly in case the machine is busy.
        JsonNode? receipt = null;
        for (var i = 0; i < 100 && receipt is null; i++)
        {
            receipt = await node.RpcAsync("eth_getTransactionReceipt", [txHash]);
            if (receipt is null) await Task.Delay(50);
        }

        Assert.Equal("0x1", receipt!["status"]!.GetValue<string>());
        Assert.NotEqual("0x0", (await node.RpcAsync("eth_blockNumber", []))!.GetValue<string>());
        var balance = System.Numerics.BigInteger.Parse("0" + (await node.RpcAsync("eth_getBalance", [recipient, "latest"]))!.GetValue<string>()[2..],
            System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(System.Numerics.BigInteger.Parse("10001000000000000000000", System.Globalization.CultureInfo.InvariantCulture), balance);
    }
}
