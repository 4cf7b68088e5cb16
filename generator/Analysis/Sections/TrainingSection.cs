using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using CtcDsl.SpecFacts;

namespace CtcDsl.Generator.Analysis;

// The spec analysis, the optimiser, schedule, early stopping and training defaults.
internal static partial class SpecAnalyzer
{
    private sealed partial class Reader
    {
        /// <summary>The values a training history holds, which early stopping can monitor.</summary>
        private static List<string> MonitorableValues(List<CtcPlan>? ctc, List<MetricPlan> metrics)
        {
            var values = new List<string> { "loss" };
            if (ctc is { Count: > 1 }) values.AddRange(ctc.Select(n => n.Name + "_loss"));
            values.AddRange(metrics.Select(m => m.Name));
            return values.Concat(values.Select(v => "val_" + v).ToList()).ToList();
        }

        private (OptimizerPlan?, TrainingPlan?) ReadTraining(List<string> monitorable)
        {
            var map = root.Map("training", "training", required: true, example: "{ optimizer: { type: sgd, learning_rate: 0.005 }, epochs: 400, batch_size: 2 }");
            if (map is null) return (null, null);
            map.AllowOnly("optimizer", "schedule", "epochs", "batch_size", "shuffle", "seed", "clip_grad_norm", "non_finite_loss", "early_stopping");
            var epochs = Positive(map, "epochs", required: true);
            var batchSize = Positive(map, "batch_size") ?? TrainingFacts.DefaultBatchSize;
            var shuffle = map.Bool("shuffle") ?? true;
            var seed = map.Int("seed") ?? 0;
            var clip = map.Double("clip_grad_norm");
            if (clip is <= 0) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("clip_grad_norm"), "clip_grad_norm", "a positive number", clip);

            OptimizerPlan? optimizer = null;
            var opt = map.Map("optimizer", "the optimizer", required: true, example: "{ type: sgd, learning_rate: 0.005, momentum: 0.9 }");
            if (opt is not null)
            {
                opt.AllowOnly("type", "learning_rate", "momentum", "nesterov", "weight_decay", "beta1", "beta2", "epsilon");
                var type = Option(opt, "type", "optimizer", Optimizers, fallback: null);
                var lr = opt.Double("learning_rate", required: true, example: "0.001");
                if (lr is { } rate && !(rate > 0 && rate < 10))
                    context.Report(DiagnosticCatalog.InvalidValue, opt.SpanOf("learning_rate"), "learning_rate", "a positive number below 10", rate);
                var momentum = opt.Double("momentum") ?? 0;
                if (momentum is < 0 or >= 1) context.Report(DiagnosticCatalog.InvalidValue, opt.SpanOf("momentum"), "momentum", "in [0, 1)", momentum);
                var nesterov = opt.Bool("nesterov") ?? false;
                if (nesterov && momentum == 0) context.Report(DiagnosticCatalog.InvalidValue, opt.SpanOf("nesterov"), "nesterov", "used with a momentum above 0", "momentum 0");
                var decay = opt.Double("weight_decay") ?? (type == "adamw" ? 0.01 : 0);
                if (decay < 0) context.Report(DiagnosticCatalog.InvalidValue, opt.SpanOf("weight_decay"), "weight_decay", "0 or more", decay);
                var beta1 = opt.Double("beta1") ?? 0.9;
                var beta2 = opt.Double("beta2") ?? 0.999;
                var epsilon = opt.Double("epsilon") ?? (type == "rmsprop" ? 1e-8 : 1e-8);
                if (type is not null && lr is not null)
                    optimizer = new OptimizerPlan(type, lr.Value, momentum, nesterov, decay, beta1, beta2, epsilon);
            }
            var schedule = ReadSchedule(map);
            var nonFinite = Option(map, "non_finite_loss", "non-finite loss policy", new[] { "stop", "skip" }, "stop", "stop (fail naming the batch), skip (drop the batch and count it)") ?? "stop";
            var earlyStopping = ReadEarlyStopping(map, monitorable);
            var training = epochs is null ? null : new TrainingPlan(epochs.Value, batchSize, shuffle, seed, clip, schedule, nonFinite == "skip", earlyStopping);
            return (optimizer, training);
        }

        private EarlyStoppingPlan? ReadEarlyStopping(YamlMap training, List<string> monitorable)
        {
            var map = training.Map("early_stopping", "early stopping");
            if (map is null) return null;
            map.AllowOnly("monitor", "patience", "min_delta", "mode");
            var monitor = map.String("monitor") ?? TrainingFacts.DefaultMonitor;
            if (!monitorable.Contains(monitor))
                context.Report(DiagnosticCatalog.UnknownName, map.SpanOf("monitor"), monitor, "a value of the training history",
                    (Suggestions.DidYouMean(monitor, monitorable) is { Length: > 0 } hint ? hint : "") + "; valid: " + string.Join(", ", monitorable) + " (val_ values need validation data)");
            var patience = Positive(map, "patience") ?? TrainingFacts.DefaultPatience;
            var minDelta = map.Double("min_delta") ?? TrainingFacts.DefaultMinDelta;
            if (minDelta < 0) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("min_delta"), "min_delta", "0 or more", minDelta);
            var mode = Option(map, "mode", "mode", new[] { "min", "max" }, "min") ?? "min";
            return new EarlyStoppingPlan(monitor, patience, minDelta, mode == "max");
        }

        private SchedulePlan? ReadSchedule(YamlMap training)
        {
            var map = training.Map("schedule", "the schedule");
            if (map is null) return null;
            var type = Option(map, "type", "schedule", ScheduleTypes, "constant");
            if (type is null) return null;
            var keys = new List<string> { "type", "warmup_steps" };
            keys.AddRange(type switch
            {
                "step" => new[] { "step_size", "gamma" },
                "exponential" => new[] { "gamma" },
                "cosine" => new[] { "epochs", "min_learning_rate" },
                _ => new string[0],
            });
            map.AllowOnly(keys.ToArray());
            var stepSize = type == "step" ? Positive(map, "step_size", required: true) ?? 1 : 1;
            var gamma = map.Double("gamma") ?? 0.1;
            if (!(gamma > 0 && gamma <= 1)) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("gamma"), "gamma", "in (0, 1]", gamma);
            var epochs = type == "cosine" ? Positive(map, "epochs", required: true) ?? 1 : 1;
            var minimum = map.Double("min_learning_rate") ?? 0;
            if (minimum < 0) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("min_learning_rate"), "min_learning_rate", "0 or more", minimum);
            var warmup = map.Int("warmup_steps") ?? 0;
            if (warmup < 0) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("warmup_steps"), "warmup_steps", "0 or more", warmup);
            return new SchedulePlan(type, stepSize, gamma, epochs, minimum, warmup);
        }

        /// <inheritdoc/>
        public SpecContext Context => context;
    }
}
