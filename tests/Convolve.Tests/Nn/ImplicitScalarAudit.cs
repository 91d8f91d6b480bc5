using System.Reflection;
using System.Reflection.Emit;
using TorchSharp;

namespace Convolve.Tests.Nn;

/// <summary>
/// Reads IL to find calls that create a TorchSharp <see cref="Scalar"/> nobody keeps: implicit conversions
/// (<c>Scalar.op_Implicit</c>) and TorchSharp methods that create one inside (directly or through the methods they call,
/// e.g. <c>Tensor.add(Tensor)</c> with its default alpha, <c>Tensor * 2f</c>, <c>nn.functional.leaky_relu</c>).
/// Explicit <c>ToScalar()</c> is not reported (the caller holds it in a <c>using</c> local). Virtual calls resolve to the
/// declared method only, so what a module's or optimizer's override does inside is not seen.
/// </summary>
internal static class ImplicitScalarAudit
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                          BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private static readonly Lazy<HashSet<int>> ScalarCreators = new(FindScalarCreators);

    /// <summary>"Type.Method calls Callee" for every call in <paramref name="assembly"/> that creates an unkept scalar.</summary>
    public static IEnumerable<string> Violations(Assembly assembly)
    {
        var torchSharp = typeof(Scalar).Module;
        foreach (var method in MethodsOf(assembly))
            foreach (var callee in Calls(method))
                if (callee.Module == torchSharp && ScalarCreators.Value.Contains(callee.MetadataToken) && !IsExplicitToScalar(callee))
                    yield return $"{method.DeclaringType?.FullName}.{method.Name} calls {Describe(callee)}";
    }

    /// <summary>
    /// "Module.forward" for every TorchSharp module type that <paramref name="assembly"/> builds (a factory such as
    /// <c>nn.Linear(…)</c> or a constructor) whose forward creates a Scalar: what <see cref="Violations"/> cannot see
    /// behind the virtual <c>forward</c> call.
    /// </summary>
    public static IEnumerable<string> HiddenScalarsInModules(Assembly assembly)
    {
        var torchSharp = typeof(Scalar).Module;
        foreach (var type in ModuleTypesBuilt(assembly))
            for (var t = type; t is not null && t.Module == torchSharp; t = t.BaseType)
                foreach (var forward in t.GetMethods(Declared).Where(m => m.Name == "forward"))
                    if (ScalarCreators.Value.Contains(forward.MetadataToken)) yield return $"{t.Name}.forward";
    }

    /// <summary>The names of the TorchSharp module types <paramref name="assembly"/> builds, for the report.</summary>
    public static IEnumerable<string> ModulesBuilt(Assembly assembly) => ModuleTypesBuilt(assembly).Select(t => t.Name).Order();

    // Types returned by TorchSharp factories (nn.Linear(…)) or constructed directly, that are modules.
    private static IEnumerable<Type> ModuleTypesBuilt(Assembly assembly)
    {
        var torchSharp = typeof(Scalar).Module;
        return MethodsOf(assembly).SelectMany(Calls).Where(c => c.Module == torchSharp)
            .Select(c => c is ConstructorInfo ctor ? ctor.DeclaringType : (c as MethodInfo)?.ReturnType)
            .OfType<Type>().Where(typeof(torch.nn.Module).IsAssignableFrom).Distinct();
    }

    private static bool IsExplicitToScalar(MethodBase m) => m.DeclaringType == typeof(ScalarExtensionMethods) && m.Name == "ToScalar";

    /// <summary>Metadata tokens of TorchSharp methods that create a Scalar, directly or through the TorchSharp methods they call.</summary>
    private static HashSet<int> FindScalarCreators()
    {
        var torchSharp = typeof(Scalar).Module;
        var calls = MethodsOf(typeof(Scalar).Assembly).ToDictionary(m => m.MetadataToken,
            m => Calls(m).Where(c => c.Module == torchSharp).Select(c => c.MetadataToken).ToArray());
        var creators = new HashSet<int>(typeof(Scalar).GetMethods().Where(m => m.Name == "op_Implicit").Select(m => m.MetadataToken)
            .Concat(typeof(Scalar).GetConstructors(Declared).Select(c => c.MetadataToken))
            .Concat(typeof(ScalarExtensionMethods).GetMethods().Where(IsExplicitToScalar).Select(m => m.MetadataToken)));
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (method, callees) in calls)
                if (!creators.Contains(method) && callees.Any(creators.Contains)) grew = creators.Add(method) | grew;
        }
        return creators;
    }

    private static IEnumerable<MethodBase> MethodsOf(Assembly assembly)
    {
        Type?[] types;
        try { types = assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { types = e.Types; }
        foreach (var type in types.OfType<Type>())
        {
            foreach (var m in type.GetMethods(Declared)) yield return m;
            foreach (var c in type.GetConstructors(Declared)) yield return c;
        }
    }

    /// <summary>The methods <paramref name="method"/>'s IL calls (call, callvirt, newobj, ldftn).</summary>
    private static IEnumerable<MethodBase> Calls(MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is BadImageFormatException or FileNotFoundException or TypeLoadException) { il = null; }
        if (il is null) yield break;
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            if (op.OperandType == OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try { callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArgs, methodArgs); }
                catch (Exception e) when (e is ArgumentException or FileNotFoundException or TypeLoadException or BadImageFormatException) { }
                if (callee is not null) yield return callee;
            }
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
    }

    private static string Describe(MethodBase m) =>
        $"{m.DeclaringType?.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})";
}
