#ifndef PTM_INTERFACES_TD
#define PTM_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Ptm_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::ptm";
  let description = [{
    An op that knows its vector-Jacobian product. `ptm-autodiff` walks a loss
    function backwards and asks each op on the path to the loss for the
    gradients of its operands given the gradients of its results.

    Rules emit ptm ops, so gradients are fused, tiled and vectorised like the
    forward pass. They may use the op's operands and results (those values are
    kept alive from the forward pass: "saved"); everything else a rule needs,
    such as softmax probabilities in attention or the statistics of layer norm,
    is recomputed inside the dedicated `*_grad` ops rather than stored.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds, with `builder`, the gradient of every operand given the
        gradients of the results (`resultGradients[i]` is null when result i
        does not influence the loss). Fills `operandGradients` with one value
        per operand, null for operands that have no gradient (token ids,
        masks, labels).
      }],
      "::mlir::LogicalResult", "buildVjp",
      (ins "::mlir::OpBuilder &":$builder,
           "::llvm::ArrayRef<::mlir::Value>":$resultGradients,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGradients)>
  ];
}

#endif // PTM_INTERFACES_TD
