using Scorpius.Testing.Fixtures;

namespace Scorpius.AuditTrail.Tests.TestSupport;

/// <summary>One real PostgreSQL server for every test class of this project that needs one; each test makes its own database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
