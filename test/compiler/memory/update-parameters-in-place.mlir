// RUN: ptm-opt %s --ptm-update-parameters-in-place | FileCheck %s
// ptm-update-parameters-in-place: after bufferization, the results of a
// training step marked ptm.updates_parameter leave the signature. A new value
// computed in its parameter's buffer needs nothing more; one computed
// elsewhere is copied over the parameter's buffer just before the return.

// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[W:[a-z0-9]+]]: memref<4xf32> {bufferization.writable = true, ptm.parameter = "w"},
// CHECK-SAME: %[[M:[a-z0-9]+]]: memref<4xf32> {bufferization.writable = true, ptm.parameter = "optimizer.exp_avg.w"},
// CHECK-SAME: %[[G:[a-z0-9]+]]: memref<4xf32> {bufferization.writable = false, ptm.input = "g"})
// CHECK-SAME: -> (memref<f32> {ptm.output = "loss"})
// CHECK: linalg.generic
// CHECK-SAME: outs(%[[W]], %[[NEWM:.*]] : memref<4xf32>, memref<4xf32>)
// CHECK-NOT: memref.copy %{{.*}}, %[[W]]
// CHECK: memref.copy %[[NEWM]], %[[M]] : memref<4xf32> to memref<4xf32>
// CHECK-NEXT: return %{{.*}} : memref<f32>
#map = affine_map<(d0) -> (d0)>
func.func @step(%w: memref<4xf32> {bufferization.writable = true, ptm.parameter = "w"},
                %m: memref<4xf32> {bufferization.writable = true, ptm.parameter = "optimizer.exp_avg.w"},
                %g: memref<4xf32> {bufferization.writable = false, ptm.input = "g"})
    -> (memref<f32> {ptm.output = "loss"},
        memref<4xf32> {ptm.output = "w", ptm.updates_parameter},
        memref<4xf32> {ptm.output = "optimizer.exp_avg.w", ptm.updates_parameter})
    attributes {ptm.entry} {
  %loss = memref.alloc() : memref<f32>
  %new_m = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#map, #map, #map, #map, #map], iterator_types = ["parallel"]}
      ins(%w, %g, %m : memref<4xf32>, memref<4xf32>, memref<4xf32>) outs(%w, %new_m : memref<4xf32>, memref<4xf32>) {
  ^bb0(%wi: f32, %gi: f32, %mi: f32, %o0: f32, %o1: f32):
    %next = arith.subf %wi, %gi : f32
    %moment = arith.addf %mi, %gi : f32
    linalg.yield %next, %moment : f32, f32
  }
  return %loss, %w, %new_m : memref<f32>, memref<4xf32>, memref<4xf32>
}

// Functions without marked results, and functions that are not entries,
// keep their signatures.
// CHECK-LABEL: func.func @gradients
// CHECK-SAME: -> (memref<4xf32> {ptm.output = "w"})
// CHECK-NOT: memref.copy
// CHECK: return
func.func @gradients(%w: memref<4xf32> {ptm.parameter = "w"}) -> (memref<4xf32> {ptm.output = "w"})
    attributes {ptm.entry} {
  %grad = memref.alloc() : memref<4xf32>
  return %grad : memref<4xf32>
}
