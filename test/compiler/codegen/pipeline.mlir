// RUN: ptm-opt %s -split-input-file --ptm-lower-to-llvm | FileCheck %s
// RUN: ptm-opt %s -split-input-file --ptm-lower-to-llvm | FileCheck %s --check-prefix=LLVM-ONLY
// The whole CPU pipeline: ptm on tensors in, LLVM dialect with the entry ABI out.

// Nothing but llvm-dialect ops is left (an op starts its line, follows
// "= " or is quoted; the ptm.entry and ptm.schedule attributes may stay).
// LLVM-ONLY-NOT: {{(^ *|= |")(ptm|linalg|tensor|bufferization|memref|scf|cf|affine|vector|arith|math|index|func|ub)\.[a-z_]+}}

// GPT-2 MLP up-projection: matmul + bias + tanh GELU. The result becomes an
// out-parameter, so the entry takes 3 inputs + 1 output, all bare pointers.
// The epilogue's rows run as a parallel body of their own.
// CHECK: llvm.func internal @mlp_parallel_0(%{{.*}}: i64, %{{.*}}: i64, %{{.*}}: !llvm.ptr)
// CHECK-LABEL: llvm.func internal @mlp(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-SAME: attributes {ptm.entry, ptm.schedule = ["matmul 8x8x16 (M x K x N, nn, f32 rhs): one task's tile, k tiles 8, loops (innermost dimension contiguous)"]}
// CHECK: llvm.return
// CHECK-LABEL: llvm.func @ptm_entry_mlp
// CHECK-SAME: (%[[BUFFERS:.*]]: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-COUNT-4: llvm.load {{.*}} : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @mlp(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK-NEXT: llvm.return
func.func @mlp(%x: tensor<2x4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<2x4x16xf32> attributes {ptm.entry} {
  %0 = ptm.matmul %x, %w : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  %1 = ptm.add %0, %b : (tensor<2x4x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  %2 = ptm.gelu %1 {approximate = "tanh"} : tensor<2x4x16xf32>
  return %2 : tensor<2x4x16xf32>
}

// -----

// A projection large enough for several output tiles: the tile loop runs on
// the runtime's thread pool through the callback table that the wrapper
// stores in @ptm_runtime_callbacks.
// The outlined tile body stays internal to the shared object.
// CHECK: llvm.mlir.global internal @ptm_runtime_callbacks()
// CHECK: llvm.func internal @proj_parallel_0(%{{.*}}: i64, %{{.*}}: i64, %{{.*}}: !llvm.ptr)
// CHECK-LABEL: llvm.func internal @proj(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-SAME: attributes {ptm.entry, ptm.schedule = ["matmul 128x64x512 (M x K x N, nn, f32 rhs): output tiles 128x64, k tiles 64, rhs packed into panels, 8x32 register tiles"]}
// CHECK: llvm.mlir.addressof @ptm_runtime_callbacks
// CHECK: llvm.call %{{.*}}(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : !llvm.ptr, (i64, i64, !llvm.ptr, !llvm.ptr) -> ()
// CHECK-LABEL: llvm.func @ptm_entry_proj
// CHECK-SAME: (%[[BUFFERS:.*]]: !llvm.ptr, %[[CALLBACKS:.*]]: !llvm.ptr)
// CHECK-NEXT: %[[SLOT:.*]] = llvm.mlir.addressof @ptm_runtime_callbacks : !llvm.ptr
// CHECK-NEXT: llvm.store %[[CALLBACKS]], %[[SLOT]] : !llvm.ptr, !llvm.ptr
// CHECK: llvm.call @proj(%{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
func.func @proj(%x: tensor<128x64xf32>, %w: tensor<64x512xf32>) -> tensor<128x512xf32> attributes {ptm.entry} {
  %0 = ptm.matmul %x, %w : (tensor<128x64xf32>, tensor<64x512xf32>) -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}

// -----

// Every other op family reaches LLVM too: embedding, layer norm, attention,
// reshape, transpose, slice, softmax (a tiny GPT block's worth).
// CHECK-LABEL: llvm.func internal @block
// CHECK-LABEL: llvm.func @ptm_entry_block
// CHECK-COUNT-9: llvm.load {{.*}} : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @block(
func.func @block(%wte: tensor<50x8xf32>, %ids: tensor<1x4xi64>, %g: tensor<8xf32>, %b: tensor<8xf32>,
                 %wqkv: tensor<8x24xf32>, %bqkv: tensor<24xf32>, %mask: tensor<1x4xi64>,
                 %wpe: tensor<16x8xf32>) -> tensor<1x4x50xf32> attributes {ptm.entry} {
  %h0 = ptm.embedding %wte, %ids : (tensor<50x8xf32>, tensor<1x4xi64>) -> tensor<1x4x8xf32>
  %pos = ptm.slice %wpe [0, 0] : (tensor<16x8xf32>) -> tensor<4x8xf32>
  %h = ptm.add %h0, %pos : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x8xf32>
  %n = ptm.layer_norm %h, %g, %b {epsilon = 1.0e-5 : f64} : (tensor<1x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %qkv = ptm.linear %n, %wqkv, %bqkv : (tensor<1x4x8xf32>, tensor<8x24xf32>, tensor<24xf32>) -> tensor<1x4x24xf32>
  %q0 = ptm.slice %qkv [0, 0, 0] : (tensor<1x4x24xf32>) -> tensor<1x4x8xf32>
  %k0 = ptm.slice %qkv [0, 0, 8] : (tensor<1x4x24xf32>) -> tensor<1x4x8xf32>
  %v0 = ptm.slice %qkv [0, 0, 16] : (tensor<1x4x24xf32>) -> tensor<1x4x8xf32>
  %q1 = ptm.reshape %q0 : (tensor<1x4x8xf32>) -> tensor<1x4x2x4xf32>
  %k1 = ptm.reshape %k0 : (tensor<1x4x8xf32>) -> tensor<1x4x2x4xf32>
  %v1 = ptm.reshape %v0 : (tensor<1x4x8xf32>) -> tensor<1x4x2x4xf32>
  %q = ptm.transpose %q1 [0, 2, 1, 3] : (tensor<1x4x2x4xf32>) -> tensor<1x2x4x4xf32>
  %k = ptm.transpose %k1 [0, 2, 1, 3] : (tensor<1x4x2x4xf32>) -> tensor<1x2x4x4xf32>
  %v = ptm.transpose %v1 [0, 2, 1, 3] : (tensor<1x4x2x4xf32>) -> tensor<1x2x4x4xf32>
  %a = ptm.attention %q, %k, %v, %mask {causal = true, scale = 0.5 : f64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x4xi64>) -> tensor<1x2x4x4xf32>
  %at = ptm.transpose %a [0, 2, 1, 3] : (tensor<1x2x4x4xf32>) -> tensor<1x4x2x4xf32>
  %ctx = ptm.reshape %at : (tensor<1x4x2x4xf32>) -> tensor<1x4x8xf32>
  %logits = ptm.matmul %ctx, %wte {transpose_rhs = true} : (tensor<1x4x8xf32>, tensor<50x8xf32>) -> tensor<1x4x50xf32>
  %p = ptm.softmax %logits {axis = 2 : i64} : tensor<1x4x50xf32>
  return %p : tensor<1x4x50xf32>
}
