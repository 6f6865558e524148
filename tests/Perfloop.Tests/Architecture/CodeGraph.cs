using Mono.Cecil;

namespace Perfloop.Tests.Architecture;

/// <summary>
/// Who refers to what, read from the compiled assemblies' metadata and IL with Mono.Cecil: for each type (its compiler
/// generated lambdas and state machines folded into the type that wrote them), the types it mentions in signatures,
/// fields and method bodies, and the methods it calls.
/// </summary>
sealed class CodeGraph
{
    CodeGraph(IReadOnlyDictionary<string, TypeUse> types) => Types = types;

    /// <summary>By assembly and full name of the type as written in source (nested compiler types folded in).</summary>
    public IReadOnlyDictionary<string, TypeUse> Types { get; }

    public static CodeGraph Read(params string[] assemblyPaths)
    {
        var types = new Dictionary<string, TypeUse>(StringComparer.Ordinal);
        foreach (var path in assemblyPaths)
        {
            using var module = ModuleDefinition.ReadModule(path);
            foreach (var type in module.GetTypes())
            {
                var owner = SourceType(type);
                // Types the compiler makes for the whole assembly (<>z__ReadOnlyArray, <PrivateImplementationDetails>) are nobody's code.
                if (owner.FullName.StartsWith('<'))
                {
                    continue;
                }

                var key = module.Assembly.Name.Name + "|" + owner.FullName;
                if (!types.TryGetValue(key, out var use))
                {
                    use = new TypeUse(owner.FullName, owner.Namespace, module.Assembly.Name.Name);
                    types[key] = use;
                }

                Collect(type, use);
            }
        }

        return new CodeGraph(types);
    }

    /// <summary>The type a compiler-generated closure, lambda holder or state machine belongs to.</summary>
    static TypeDefinition SourceType(TypeDefinition type)
    {
        while (type.IsNested && (type.Name.StartsWith('<') || type.CustomAttributes.Any(a => a.AttributeType.Name == "CompilerGeneratedAttribute")))
        {
            type = type.DeclaringType;
        }

        return type;
    }

    static void Collect(TypeDefinition type, TypeUse use)
    {
        Add(use, type.BaseType);
        foreach (var face in type.Interfaces)
        {
            Add(use, face.InterfaceType);
        }

        foreach (var field in type.Fields)
        {
            Add(use, field.FieldType);
        }

        foreach (var method in type.Methods)
        {
            Add(use, method.ReturnType);
            foreach (var parameter in method.Parameters)
            {
                Add(use, parameter.ParameterType);
            }

            if (!method.HasBody)
            {
                continue;
            }

            var caller = SourceMethodName(type, method);
            foreach (var variable in method.Body.Variables)
            {
                Add(use, variable.VariableType);
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case MethodReference called:
                        Add(use, called.DeclaringType);
                        Add(use, called.ReturnType);
                        use.Calls.Add(new Call(caller, called.DeclaringType.Namespace, ElementName(called.DeclaringType), called.Name, IsAsync(called.ReturnType), ScopeOf(called.DeclaringType)));
                        break;
                    case FieldReference field:
                        Add(use, field.DeclaringType);
                        Add(use, field.FieldType);
                        break;
                    case TypeReference mentioned:
                        Add(use, mentioned);
                        break;
                }
            }
        }
    }

    /// <summary>
    /// The method a body belongs to as the source wrote it: a lambda is its own method (<c>&lt;Create&gt;b__0_0</c>), and
    /// an async state machine's <c>MoveNext</c> belongs to the method or lambda that started it.
    /// </summary>
    static string SourceMethodName(TypeDefinition type, MethodDefinition method)
    {
        for (var t = type; t is not null && t.IsNested; t = t.DeclaringType)
        {
            // A state machine type is named <Method>d__N (or <<Create>b__0_0>d__N for a lambda's).
            var close = t.Name.LastIndexOf(">d", StringComparison.Ordinal);
            if (t.Name.StartsWith('<') && close > 1 && method.Name == "MoveNext")
            {
                return t.Name[1..close];
            }
        }

        return method.Name;
    }

    static bool IsAsync(TypeReference type) =>
        type.Namespace == "System.Threading.Tasks" && (type.Name.StartsWith("Task", StringComparison.Ordinal) || type.Name.StartsWith("ValueTask", StringComparison.Ordinal));

    static string ElementName(TypeReference type)
    {
        var element = type.GetElementType();
        return element.IsNested ? element.DeclaringType.FullName + "/" + element.Name : element.FullName;
    }

    static string ScopeOf(TypeReference type) => type.Scope switch
    {
        ModuleDefinition module => module.Assembly.Name.Name,
        AssemblyNameReference assembly => assembly.Name,
        _ => type.Scope?.Name ?? "",
    };

    static void Add(TypeUse use, TypeReference? type)
    {
        if (type is null)
        {
            return;
        }

        if (type is GenericInstanceType generic)
        {
            foreach (var argument in generic.GenericArguments)
            {
                Add(use, argument);
            }
        }

        if (type is TypeSpecification specification)
        {
            Add(use, specification.ElementType);
            return;
        }

        if (type.IsGenericParameter)
        {
            return;
        }

        var outer = type;
        while (outer.IsNested)
        {
            outer = outer.DeclaringType;
        }

        if (outer.FullName.StartsWith('<'))
        {
            return;
        }

        use.Uses.Add(new UsedType(outer.Namespace, outer.FullName, ScopeOf(type)));
    }
}

/// <summary>A type as written in source and what it refers to.</summary>
sealed record TypeUse(string FullName, string Namespace, string Assembly)
{
    public HashSet<UsedType> Uses { get; } = [];

    public List<Call> Calls { get; } = [];
}

sealed record UsedType(string Namespace, string FullName, string Assembly);

/// <summary>A call from <see cref="Caller"/> (a method of the type, lambdas folded in) to a method of another type.</summary>
sealed record Call(string Caller, string Namespace, string Type, string Method, bool ReturnsTask, string Assembly);
