fn main() {
    println!("chanviz: coming soon");
}
