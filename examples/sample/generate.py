#!/usr/bin/env python3
"""Deterministic generator for the unisono embedded sample retailer.

Run from anywhere:

    python3 examples/sample/generate.py

It (re)writes, next to this file:

  catalog.json        unisono.catalog/1: 3 stores, ~580 products, stock per store
  events.csv          population events (user_id,sku,ts,type,channel,store)
  profiles/*.json     unisono.profile/1: hand-written customer stories
  (README.md is hand-written and is not touched)

Standard library only, Python 3.11+. Every random choice comes from
random.Random(SEED) instances and nothing iterates over a set or depends on
hash order, so re-running gives byte-identical output. All numbers are
synthetic.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
from datetime import datetime, timezone

SEED = 20261123
HERE = os.path.dirname(os.path.abspath(__file__))

CATALOG_VERSION = "sample-2026-11"
IMAGE_BASE = "https://img.unisono.example/"

STORES = [
    {"id": "lon-oxford", "name": "London Oxford Street", "city": "London"},
    {"id": "man-arndale", "name": "Manchester Arndale", "city": "Manchester"},
    {"id": "edi-princes", "name": "Edinburgh Princes Street", "city": "Edinburgh"},
]
STORE_IDS = [s["id"] for s in STORES]
ALL_CHANNELS = ["web", "app", "kiosk", "store"]

# Population window: [START, END). The demo "now" is 2026-11-23T12:00:00Z.
def _epoch(s: str) -> int:
    return int(datetime.fromisoformat(s).timestamp())


START = _epoch("2026-08-01T00:00:00+00:00")
END = _epoch("2026-11-23T00:00:00+00:00")
NOW = _epoch("2026-11-23T12:00:00+00:00")
NDAYS = (END - START) // 86400  # 114 days
BST_END = _epoch("2026-10-25T01:00:00+00:00")  # UK clocks go back
TREND_START = END - 21 * 86400  # trending items ramp up over the last 3 weeks
DAY = 86400


def iso_z(t: int) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def uk_offset(t: int) -> int:
    return 3600 if t < BST_END else 0


# ---------------------------------------------------------------------------
# Catalog specification
# ---------------------------------------------------------------------------
# A leaf is one product type (third category level). Titles are composed from
# `fmt` with values drawn from `pools`; a pool value may be (text, price
# factor). Pools named in `attrs` become item attributes. `consumable` is the
# typical repurchase interval in days (0 = durable). `fixed` lists handmade
# items: (title, brand, price, attributes, line). `line` links items that go
# together (phone model <-> its cases, shampoo <-> conditioner of one range).

LEAVES: list[dict] = []


def leaf(key, code, path, fmt="", n=0, price=(0, 0), brands=(), pools=None,
         attrs=(), consumable=0, pop=1.0, fixed=None, sizes=None):
    LEAVES.append({
        "key": key, "code": code, "path": list(path), "fmt": fmt, "n": n,
        "price": price, "brands": list(brands), "pools": pools or {},
        "attrs": list(attrs), "consumable": consumable, "pop": pop,
        "fixed": fixed, "sizes": sizes,
    })


KITCHEN_COLOURS = ["stainless steel", "matte black", "cream", "sage green", "brushed copper", "white"]
FASHION_COLOURS = ["black", "navy", "camel", "charcoal", "ivory", "forest green", "burgundy",
                   "oatmeal", "khaki", "dusty pink", "cobalt blue", "chocolate brown"]
SPORT_COLOURS = ["black", "volt yellow", "ocean blue", "coral", "slate grey", "white", "olive"]
TECH_COLOURS = ["black", "white", "midnight blue", "silver", "graphite", "sage"]
WOMEN_SIZES = "UK 6–20"
MEN_SIZES = "S–XXL"
SCENTS = ["Wild Fig & Cassis", "Lime, Basil & Mandarin", "Oat & Honey", "Sea Salt & Sage",
          "Cherry Blossom", "Amber & Vanilla", "Eucalyptus & Mint", "Pink Grapefruit"]

H, FA, SO, EL, BE, TB = ("Home & Kitchen", "Fashion", "Sports & Outdoors", "Electronics",
                         "Beauty", "Toys & Books")

# -- Home & Kitchen ----------------------------------------------------------
leaf("espresso", "HK-COF", (H, "Coffee", "Espresso Machines"), pop=1.6, fixed=[
    ("Barista Pro Espresso Machine", "Brevia", 349.0, {"colour": "stainless steel"}, None),
    ("Bean-to-Cup Espresso Machine", "Caffora", 599.0, {"colour": "matte black"}, None),
    ("Compact Espresso Machine", "Lumetto", 149.99, {"colour": "cream"}, None),
    ("Dual Boiler Espresso Machine", "Brevia", 899.0, {"colour": "brushed steel"}, None),
    ("Classic Lever Espresso Machine", "Lumetto", 479.0, {"colour": "chrome"}, None),
    ("Slimline Espresso & Pod Machine", "Caffora", 129.0, {"colour": "cherry red"}, None),
    ("Barista Touch Espresso Machine", "Brevia", 699.0, {"colour": "black truffle"}, None),
])
leaf("grinder", "HK-COF", (H, "Coffee", "Coffee Grinders"), "{style} Coffee Grinder", 5, (39, 219),
     ["Grindwell", "Brevia", "Lumetto"],
     {"style": ["Conical Burr", ("Flat Burr Precision", 1.4), ("Hand", 0.5), "Compact Electric", "Smart Dose"],
      "colour": KITCHEN_COLOURS}, ["colour"], pop=1.1)
leaf("frother", "HK-COF", (H, "Coffee", "Milk Frothers"), "{style} Milk Frother", 4, (24, 119),
     ["Brevia", "Caffora", "Lumetto"],
     {"style": ["Induction", ("Handheld", 0.3), "Automatic", "Cold Foam"], "colour": KITCHEN_COLOURS}, ["colour"])
leaf("beans", "HK-COF", (H, "Coffee", "Coffee Beans"), "{origin} {roast} Coffee Beans {size}", 12, (5.5, 9),
     ["Hillside Roasters", "Roastery Lane", "Old Quay Coffee"],
     {"origin": ["Colombia Huila", "Ethiopia Yirgacheffe", "Brazil Cerrado", "Guatemala Antigua", "Kenya AA",
                 "Sumatra Mandheling", "House Espresso", "Decaf Swiss Water", "Peru Cajamarca"],
      "roast": ["Light Roast", "Medium Roast", "Dark Roast", "Espresso Roast"],
      "size": [("250g", 1.0), ("500g", 1.8), ("1kg", 3.2)]}, ["roast", "size"], consumable=21, pop=2.4)
leaf("descaler", "HK-COF", (H, "Coffee", "Descaling & Cleaning"), "{kind}", 5, (5, 14),
     ["Brevia", "Caffora", "CleanBrew"],
     {"kind": ["Descaling Solution 500ml", "Descaling Tablets (6 Pack)", "Espresso Machine Cleaning Tablets (8 Pack)",
               "Grinder Cleaning Pellets 430g", "Milk System Cleaner 500ml"]}, consumable=45, pop=1.1)
leaf("cafetiere", "HK-COF", (H, "Coffee", "Cafetières & Pour-Over"), "{kind}", 5, (14, 45),
     ["Kettleby", "Old Quay Coffee", "Lumetto"],
     {"kind": ["8-Cup Glass Cafetière", "3-Cup Stainless Steel Cafetière", "Ceramic Pour-Over Dripper",
               "Glass Pour-Over Coffee Maker 600ml", "Stovetop Moka Pot (6 Cup)"], "colour": KITCHEN_COLOURS},
     ["colour"])

leaf("frying_pan", "HK-CKW", (H, "Cookware", "Frying Pans"), "{material} Frying Pan {size}", 8, (18, 55),
     ["Ferrum", "Oakhearth", "Culina"],
     {"material": ["Non-Stick", ("Cast Iron", 1.4), ("Stainless Steel", 1.3), "Carbon Steel", "Ceramic Non-Stick"],
      "size": [("20cm", 0.8), ("24cm", 1.0), ("28cm", 1.25)]}, ["material", "size"], pop=1.2)
leaf("saucepans", "HK-CKW", (H, "Cookware", "Saucepan Sets"), "{material} Saucepan Set ({count} Piece)", 5,
     (49, 139), ["Ferrum", "Culina", "Steelbrook"],
     {"material": ["Stainless Steel", "Non-Stick", "Tri-Ply", "Copper Core"],
      "count": [("3", 0.8), ("4", 1.0), ("5", 1.3)]}, ["material"])
leaf("casserole", "HK-CKW", (H, "Cookware", "Casserole Dishes"), "{material} Casserole Dish {size}", 5,
     (39, 189), ["Oakhearth", "Ferrum"],
     {"material": [("Enamelled Cast Iron", 1.5), ("Stoneware", 0.5), "Cast Iron"],
      "size": ["24cm", "26cm", "28cm"], "colour": ["volcanic orange", "cerise", "ocean", "cream", "sage"]},
     ["material", "colour"])
leaf("knives", "HK-CKW", (H, "Cookware", "Kitchen Knives"), "{kind}", 6, (19, 59),
     ["Steelbrook", "Culina", "Hoshi"],
     {"kind": ["Chef's Knife 20cm", "Santoku Knife 17cm", "Bread Knife 23cm", ("Paring Knife 9cm", 0.6),
               ("3-Piece Knife Set", 1.8), ("5-Piece Knife Block Set", 2.8), "Knife Sharpener"]})
leaf("boards", "HK-CKW", (H, "Cookware", "Chopping Boards"), "{material} Chopping Board {size}", 5, (12, 34),
     ["Oakhearth", "Culina"],
     {"material": ["Oak", "Bamboo", ("Walnut", 1.5), "Recycled Plastic"],
      "size": [("Small", 0.7), ("Medium", 1.0), ("Large", 1.4)]}, ["material"])

leaf("kettle", "HK-TEA", (H, "Tea & Kettles", "Kettles"), "{style} Kettle {size}", 6, (25, 99),
     ["Kettleby", "Brewhaus", "Lumetto"],
     {"style": ["Rapid Boil", ("Temperature Control", 1.5), "Gooseneck Pour-Over", "Cordless Retro", "Quiet Boil"],
      "size": ["1.0L", "1.5L", "1.7L"], "colour": KITCHEN_COLOURS}, ["colour"], pop=1.1)
leaf("tea", "HK-TEA", (H, "Tea & Kettles", "Loose Leaf Tea"), "{blend} Loose Leaf Tea {size}", 8, (4.5, 7.5),
     ["Leafworth", "Brewhaus"],
     {"blend": ["English Breakfast", "Earl Grey", "Sencha Green", "Darjeeling First Flush", "Chamomile",
                "Peppermint", "Assam Breakfast", "Lapsang Souchong", "Jasmine Pearl"],
      "size": [("100g", 1.0), ("250g", 2.0)]}, ["size"], consumable=28, pop=1.6)
leaf("teapot", "HK-TEA", (H, "Tea & Kettles", "Teapots"), "{material} Teapot {size}", 5, (18, 49),
     ["Kettleby", "Leafworth"],
     {"material": ["Glass", ("Cast Iron", 1.4), "Stoneware", "Porcelain"], "size": ["600ml", "1L"]}, ["material"])
leaf("mugs", "HK-TEA", (H, "Tea & Kettles", "Mugs & Cups"), "{style} Mug Set (4)", 5, (14, 34),
     ["Oakhearth", "Kettleby"],
     {"style": ["Speckled Stoneware", "Double-Walled Glass", "Fine Bone China", "Enamel Camping", "Hand-Glazed"],
      "colour": ["speckled white", "ink blue", "terracotta", "sage", "charcoal"]}, ["colour"])

leaf("duvet", "HK-BED", (H, "Bedding", "Duvets"), "{tog} {fill} Duvet, {bed}", 8, (29, 129),
     ["Nordhaven", "Cloudrest"],
     {"tog": ["4.5 Tog", "10.5 Tog", "13.5 Tog"],
      "fill": ["Microfibre", ("Duck Feather & Down", 1.4), ("Hungarian Goose Down", 2.2), ("British Wool", 1.8)],
      "bed": [("Single", 0.75), ("Double", 1.0), ("King", 1.2), ("Super King", 1.35)]}, ["fill"])
leaf("pillows", "HK-BED", (H, "Bedding", "Pillows"), "{firm} {fill} Pillow Pair", 6, (15, 49),
     ["Nordhaven", "Cloudrest"],
     {"firm": ["Soft", "Medium", "Firm"], "fill": ["Hollowfibre", ("Memory Foam", 1.6), ("Duck Feather", 1.4),
                                                    ("Goose Down", 2.1)]}, ["fill"])
leaf("bed_linen", "HK-BED", (H, "Bedding", "Bed Linen"), "{weave} Duvet Cover Set, {bed}", 8, (25, 79),
     ["Linnea", "Nordhaven"],
     {"weave": ["200TC Cotton", "400TC Cotton Percale", ("Washed Linen", 1.8), "Brushed Cotton", "Organic Cotton Sateen"],
      "bed": [("Single", 0.75), ("Double", 1.0), ("King", 1.2)],
      "colour": ["white", "oyster", "sage", "dusky blue", "terracotta", "charcoal"]}, ["colour"])
leaf("protector", "HK-BED", (H, "Bedding", "Mattress Protectors"), "Waterproof Mattress Protector, {bed}", 3,
     (15, 29), ["Cloudrest"], {"bed": [("Single", 0.8), ("Double", 1.0), ("King", 1.2)]})

# -- Fashion -----------------------------------------------------------------
leaf("dresses", "FA-WMN", (FA, "Womenswear", "Dresses"), "{style} {material} Dress", 10, (29, 89),
     ["Marlowe & Finch", "Atelier Rue", "Oslo Thread"],
     {"style": ["Wrap", "Midi", "Shirt", "Slip", "Tiered Maxi", "Knitted Midi", "Smock"],
      "material": ["Cotton", ("Linen", 1.2), ("Satin", 1.3), "Jersey", "Viscose", ("Merino", 1.5)],
      "colour": FASHION_COLOURS}, ["colour"], sizes=WOMEN_SIZES, pop=1.3)
leaf("knitwear_w", "FA-WMN", (FA, "Womenswear", "Knitwear"), "{material} {style}", 8, (35, 79),
     ["Marlowe & Finch", "Oslo Thread", "Harbour & Hale"],
     {"style": ["Crew Neck Jumper", "Roll Neck Jumper", "Cardigan", "V-Neck Jumper", "Cable Knit Jumper"],
      "material": ["Merino Wool", ("Cashmere", 2.3), "Cotton", "Lambswool", ("Alpaca Blend", 1.5)],
      "colour": FASHION_COLOURS}, ["material", "colour"], sizes=WOMEN_SIZES, pop=1.2)
leaf("jeans_w", "FA-WMN", (FA, "Womenswear", "Jeans"), "{fit} Jeans", 6, (35, 79),
     ["Oslo Thread", "Northlane"],
     {"fit": ["Straight Leg", "Wide Leg", "Skinny", "Mom", "Bootcut", "Barrel Leg"],
      "colour": ["indigo", "light wash", "black", "ecru", "mid blue"]}, ["colour"], sizes=WOMEN_SIZES)
leaf("coats_w", "FA-WMN", (FA, "Womenswear", "Coats"), "{style} Coat", 6, (79, 229),
     ["Harbour & Hale", "Atelier Rue", "Marlowe & Finch"],
     {"style": ["Wool Blend Car", "Longline Puffer", "Trench", "Teddy Borg", "Quilted", "Belted Wrap"],
      "colour": FASHION_COLOURS}, ["colour"], sizes=WOMEN_SIZES)
leaf("shirts_m", "FA-MEN", (FA, "Menswear", "Shirts"), "{fit} {style} Shirt", 8, (25, 59),
     ["Northlane", "Harbour & Hale", "Kestrel"],
     {"style": ["Oxford", "Linen", "Brushed Flannel", "Poplin", "Denim", "Corduroy"],
      "fit": ["Slim Fit", "Regular Fit"], "colour": FASHION_COLOURS}, ["colour"], sizes=MEN_SIZES)
leaf("jumpers_m", "FA-MEN", (FA, "Menswear", "Jumpers"), "{material} {style}", 7, (35, 79),
     ["Northlane", "Oslo Thread", "Harbour & Hale"],
     {"style": ["Crew Neck Jumper", "Half-Zip Jumper", "Shawl Collar Cardigan", "Fisherman Jumper"],
      "material": ["Merino Wool", ("Cashmere", 2.2), "Cotton", "Lambswool", "Shetland Wool"],
      "colour": FASHION_COLOURS}, ["material", "colour"], sizes=MEN_SIZES)
leaf("trousers_m", "FA-MEN", (FA, "Menswear", "Trousers"), "{style}", 6, (29, 69),
     ["Northlane", "Kestrel"],
     {"style": ["Slim Chinos", "Straight Chinos", "Cargo Trousers", "Wool Blend Trousers", "Tapered Joggers",
                "Pleated Wide Trousers", "Cord Trousers"],
      "colour": ["navy", "stone", "olive", "black", "tobacco"]}, ["colour"], sizes="W28–W40")
leaf("jackets_m", "FA-MEN", (FA, "Menswear", "Jackets"), "{style} Jacket", 7, (59, 199),
     ["Kestrel", "Harbour & Hale", "Northlane"],
     {"style": ["Harrington", ("Waxed Cotton", 1.3), ("Down Puffer", 1.4), "Denim", "Quilted", "Bomber",
                "Chore"],
      "colour": FASHION_COLOURS}, ["colour"], sizes=MEN_SIZES)
leaf("scarves", "FA-ACC", (FA, "Accessories", "Scarves"), "{material} {style} Scarf", 6, (15, 45),
     ["Harbour & Hale", "Atelier Rue"],
     {"material": [("Cashmere", 2.2), "Lambswool", "Cotton", ("Silk", 1.6)],
      "style": ["Check", "Ribbed", "Plain", "Printed", "Blanket"], "colour": FASHION_COLOURS},
     ["material", "colour"])
leaf("hats_gloves", "FA-ACC", (FA, "Accessories", "Hats & Gloves"), "{material} {kind}", 8, (12, 35),
     ["Harbour & Hale", "Northlane", "Kestrel"],
     {"material": ["Ribbed Knit", "Cashmere Blend", "Leather", "Fleece-Lined", "Merino"],
      "kind": ["Beanie", "Bobble Hat", "Touchscreen Gloves", "Mittens", "Bucket Hat", "Flat Cap"],
      "colour": FASHION_COLOURS}, ["colour"])
leaf("bags", "FA-ACC", (FA, "Accessories", "Bags"), "{material} {kind}", 8, (19, 129),
     ["Atelier Rue", "Marlowe & Finch", "Kestrel"],
     {"material": [("Leather", 1.8), "Recycled Nylon", "Canvas", ("Suede", 1.6)],
      "kind": ["Tote Bag", "Crossbody Bag", "Backpack", "Weekend Holdall", ("Card Holder", 0.3), "Bucket Bag"],
      "colour": ["black", "tan", "navy", "olive", "burgundy"]}, ["material", "colour"])
leaf("socks", "FA-ACC", (FA, "Accessories", "Socks"), "{style} Socks ({pack} Pack)", 6, (8, 12),
     ["Northlane", "Kestrel", "Footnote"],
     {"style": ["Bamboo Everyday", "Cotton Rich Ankle", "Merino Wool Boot", "Striped Crew", "Cushioned Trainer"],
      "pack": [("3", 1.0), ("5", 1.5), ("7", 1.9)]}, ["pack"], consumable=56, pop=1.4)
leaf("belts", "FA-ACC", (FA, "Accessories", "Belts"), "{material} Belt", 3, (19, 45), ["Kestrel", "Northlane"],
     {"material": ["Leather", "Suede", "Woven Stretch", "Reversible Leather"],
      "colour": ["black", "tan", "brown"]}, ["colour"])
leaf("trainers", "FA-FTW", (FA, "Footwear", "Trainers"), "{model} Trainers", 7, (45, 119),
     ["Stridewell", "Kestrel", "Ashby & Cole"],
     {"model": ["Court Classic", "Retro Runner", "Canvas Low-Top", "Chunky Sole", "Leather Minimal",
                "Suede Terrace", "Knit Slip-On"], "colour": ["white", "black", "off-white", "grey", "navy"]},
     ["colour"], sizes="UK 3–12", pop=1.2)
leaf("boots", "FA-FTW", (FA, "Footwear", "Boots"), "{style} Boots", 7, (69, 169),
     ["Ashby & Cole", "Kestrel", "Trailhound"],
     {"style": ["Chelsea", "Lace-Up Hiking", "Leather Ankle", "Knee-High", "Waterproof Duck", "Desert",
                "Chunky Lace-Up"], "colour": ["black", "dark brown", "tan", "taupe"]},
     ["colour"], sizes="UK 3–12", pop=1.1)
leaf("slippers", "FA-FTW", (FA, "Footwear", "Slippers"), "{style} Slippers", 4, (15, 39), ["Cloudrest", "Ashby & Cole"],
     {"style": ["Sheepskin Moccasin", "Memory Foam Mule", "Knitted Bootie", "Faux Fur Slider"],
      "colour": ["grey", "chestnut", "cream", "navy"]}, ["colour"], sizes="UK 3–12")

# -- Sports & Outdoors ---------------------------------------------------------
leaf("run_shoes", "SO-RUN", (SO, "Running", "Running Shoes"), "{model} Running Shoes", 8, (69, 159),
     ["Stridewell", "Pacerline", "Aeroflux"],
     {"model": ["Pacer Glide 4", "Aero Tempo", "Trail Ridge GTX", "Stride Cushion 2", ("Marathon Elite Carbon", 1.4),
                "Daily Trainer 3", "Ultra Trail 6", "Cloudstride", "Road Flow 9"],
      "colour": SPORT_COLOURS, "fit": ["men's", "women's"]}, ["colour", "fit"], sizes="UK 3–13", pop=1.5)
leaf("run_socks", "SO-RUN", (SO, "Running", "Running Socks"), "{style} Running Socks ({pack} Pack)", 6, (9, 14),
     ["Stridewell", "Pacerline", "Footnote"],
     {"style": ["Cushioned", "Anti-Blister", "Merino Trail", "Low-Cut Tech", "Compression", "Ultralight"],
      "pack": [("2", 1.0), ("3", 1.4)]}, ["pack"], consumable=42, pop=1.3)
leaf("bottle", "SO-RUN", (SO, "Running", "Water Bottles"), "{material} Water Bottle {size}", 6, (8, 24),
     ["Pacerline", "Trailhound", "Hydroloop"],
     {"material": [("Insulated Steel", 1.5), ("Soft Flask", 0.8), "Squeeze", "Tritan"],
      "size": ["500ml", "750ml", "1L"], "colour": SPORT_COLOURS}, ["colour"], pop=1.2)
leaf("run_apparel", "SO-RUN", (SO, "Running", "Running Clothing"), "{kind}", 7, (19, 49),
     ["Aeroflux", "Pacerline", "Stridewell"],
     {"kind": [("Lightweight Running Jacket", 1.8), "Reflective Running Gilet", "Running Tights",
               "2-in-1 Running Shorts", "Long Sleeve Running Top", "Thermal Running Top", "Running Singlet"],
      "colour": SPORT_COLOURS}, ["colour"], sizes="XS–XXL")
leaf("energy", "SO-RUN", (SO, "Running", "Energy & Hydration"), "{flavour} {kind}", 7, (8, 16),
     ["Pacerline", "FuelUp"],
     {"kind": ["Energy Gels (12 x 60ml)", ("Electrolyte Tablets (20)", 0.5), "Energy Chews (10 Pack)"],
      "flavour": ["Orange", "Mixed Berry", "Lemon & Lime", "Salted Caramel", "Cola", "Tropical"]},
     consumable=21, pop=1.1)
leaf("run_acc", "SO-RUN", (SO, "Running", "Running Accessories"), "{kind}", 5, (8, 35),
     ["Pacerline", "Lumen Ride"],
     {"kind": ["Running Belt", "Armband Phone Holder", ("Rechargeable Running Headtorch", 1.6), "Running Cap",
               "Reflective Snap Band Set"]})
leaf("tent", "SO-CMP", (SO, "Camping", "Tents"), "{model} {cap}-Person {kind} Tent", 8, (79, 249),
     ["Trailhound", "Summitcraft", "Northfell"],
     {"model": ["Ridgeline", "Bothy", "Glen", "Summit", "Coast", "Cairn"],
      "cap": [("2", 0.8), ("3", 1.0), ("4", 1.4), ("6", 2.0)],
      "kind": ["Backpacking", "Dome", "Tunnel", "Pop-Up", ("Inflatable", 1.5)]}, pop=1.4)
leaf("sleeping_bag", "SO-CMP", (SO, "Camping", "Sleeping Bags"), "{model} {season} {fill} Sleeping Bag", 7,
     (29, 119), ["Trailhound", "Summitcraft", "Northfell"],
     {"model": ["Ridgeline", "Glen", "Summit", "Cairn"], "season": [("2-Season", 0.8), "3-Season", ("4-Season", 1.5)],
      "fill": ["Synthetic", ("Down", 1.8)]}, ["fill"], pop=1.1)
leaf("sleeping_mat", "SO-CMP", (SO, "Camping", "Sleeping Mats"), "{kind}", 5, (19, 59),
     ["Trailhound", "Summitcraft"],
     {"kind": ["Self-Inflating Sleeping Mat", ("Closed Cell Foam Mat", 0.5), ("Insulated Air Mat", 1.6),
               ("Double Camping Airbed", 1.4), "Camping Pillow Mat"]})
leaf("stove", "SO-CMP", (SO, "Camping", "Camping Stoves"), "{kind} Stove", 5, (25, 89),
     ["Summitcraft", "Northfell", "Trailhound"],
     {"kind": ["Compact Gas", ("Double Burner Gas", 1.6), ("Integrated Cook System", 1.8), "Multi-Fuel",
               "Titanium Micro"]})
leaf("gas", "SO-CMP", (SO, "Camping", "Gas & Fuel"), "{kind}", 4, (4, 7),
     ["Summitcraft", "Northfell"],
     {"kind": ["Butane/Propane Gas Canister 230g", ("Butane/Propane Gas Canister 450g", 1.5),
               ("Butane Gas Cartridges (4 Pack)", 1.6), ("Fire Lighters (24)", 0.6)]}, consumable=35)
leaf("camp_cook", "SO-CMP", (SO, "Camping", "Camping Cookware"), "{kind}", 5, (9, 35),
     ["Summitcraft", "Trailhound"],
     {"kind": ["Titanium Mug 450ml", ("Camping Cook Set (2 Person)", 2.0), "Collapsible Kettle 1L",
               "Enamel Plate Set (4)", ("Spork (4 Pack)", 0.4)]})
leaf("headtorch", "SO-CMP", (SO, "Camping", "Headtorches & Lanterns"), "{lm}lm Rechargeable {kind}", 4, (15, 49),
     ["Lumen Ride", "Northfell"], {"lm": ["200", "350", "500"], "kind": ["Headtorch", "Lantern"]})
leaf("helmet", "SO-CYC", (SO, "Cycling", "Bike Helmets"), "{model} {kind} Helmet", 5, (35, 119),
     ["Velocita", "Spokeside"],
     {"model": ["Aero", "Urban", "Trail", "Vento"], "kind": ["Road", "Commuter", "MTB"], "colour": SPORT_COLOURS},
     ["colour"])
leaf("bike_lights", "SO-CYC", (SO, "Cycling", "Bike Lights"), "{lm} Lumen {kind} Bike Light Set", 4, (15, 59),
     ["Lumen Ride", "Velocita"], {"lm": [("200", 0.7), ("400", 1.0), ("800", 1.5)], "kind": ["USB-C", "Commuter", "Trail"]})
leaf("tubes", "SO-CYC", (SO, "Cycling", "Tubes & Repair"), "{kind}", 5, (4, 8),
     ["Spokeside", "Velocita"],
     {"kind": ["700x25c Inner Tube", "700x32c Inner Tube", "27.5in MTB Inner Tube", ("Puncture Repair Kit", 0.8),
               ("Tyre Levers (3)", 0.6)]}, consumable=60)
leaf("bike_lock", "SO-CYC", (SO, "Cycling", "Bike Locks"), "{kind}", 4, (19, 69), ["Spokeside", "Lockwell"],
     {"kind": [("Sold Secure Gold D-Lock", 1.4), "Folding Lock", ("Chain Lock 110cm", 1.2), ("Cable Lock", 0.5)]})
leaf("yoga_mat", "SO-FIT", (SO, "Fitness", "Yoga Mats"), "{material} Yoga Mat {thick}", 5, (19, 59),
     ["Flexa", "Corecraft"],
     {"material": ["Cork", "Natural Rubber", "TPE", "PVC-Free"], "thick": ["4mm", "6mm"],
      "colour": ["sage", "charcoal", "lilac", "natural", "teal"]}, ["material", "colour"])
leaf("weights", "SO-FIT", (SO, "Fitness", "Weights"), "{kind}", 5, (29, 59), ["Ironleaf", "Corecraft"],
     {"kind": [("Adjustable Dumbbell Set 20kg", 2.2), "Kettlebell 12kg", ("Kettlebell 16kg", 1.3),
               "Hex Dumbbell Pair 5kg", ("Hex Dumbbell Pair 10kg", 1.6)]})
leaf("bands", "SO-FIT", (SO, "Fitness", "Resistance Bands"), "{kind}", 4, (9, 25), ["Flexa", "Corecraft"],
     {"kind": ["Resistance Band Set (5)", "Fabric Booty Bands (3)", "Pull-Up Assist Band", "Tube Bands with Handles"]})
leaf("protein", "SO-FIT", (SO, "Fitness", "Protein & Supplements"), "{flavour} {kind}", 7, (14, 24),
     ["Corecraft", "FuelUp"],
     {"kind": ["Whey Protein 1kg", ("Vegan Protein 750g", 1.1), ("Creatine Monohydrate 300g", 0.8)],
      "flavour": ["Chocolate", "Vanilla", "Salted Caramel", "Strawberry", "Unflavoured", "Cookies & Cream"]},
     consumable=30, pop=1.2)
leaf("shaker", "SO-FIT", (SO, "Fitness", "Shaker Bottles"), "{style} Shaker Bottle 700ml", 3, (6, 14),
     ["Corecraft", "Hydroloop"], {"style": ["Classic", "Insulated Steel", "Twist & Mix"]})

# -- Electronics ----------------------------------------------------------------
PHONE_MODELS = [
    # title, brand, price, attrs, line (model name)
    ("Nova X12 128GB", "Nova", 799.0, {"colour": "graphite", "storage": "128GB"}, "Nova X12"),
    ("Nova X12 Pro 256GB", "Nova", 1099.0, {"colour": "titanium", "storage": "256GB"}, "Nova X12 Pro"),
    ("Nova Lite 5 128GB", "Nova", 349.0, {"colour": "mint", "storage": "128GB"}, "Nova Lite 5"),
    ("Orbis S9 256GB", "Orbis", 899.0, {"colour": "phantom black", "storage": "256GB"}, "Orbis S9"),
    ("Orbis S9 Ultra 512GB", "Orbis", 1249.0, {"colour": "titanium grey", "storage": "512GB"}, "Orbis S9 Ultra"),
    ("Kaito 7a 128GB", "Kaito", 399.0, {"colour": "sea blue", "storage": "128GB"}, "Kaito 7a"),
    ("Kaito 8 Pro 256GB", "Kaito", 749.0, {"colour": "obsidian", "storage": "256GB"}, "Kaito 8 Pro"),
]
CASE_STYLES = [("Clear MagSafe", 24.99, "Shieldware"), ("Silicone", 19.99, None), ("Leather Folio", 39.99, "Shieldware"),
               ("Rugged Armour", 29.99, "Voltix"), ("Compostable Eco", 22.5, "Shieldware")]


def _cases():
    out = []
    for i, (_t, brand, _p, _a, model) in enumerate(PHONE_MODELS):
        for j in range(2):
            style, price, cbrand = CASE_STYLES[(2 * i + j) % len(CASE_STYLES)]
            out.append((f"{style} Case for {model}", cbrand or brand, price,
                        {"compatible_with": model, "material": {"Clear MagSafe": "polycarbonate",
                                                                "Silicone": "silicone",
                                                                "Leather Folio": "leather",
                                                                "Rugged Armour": "TPU",
                                                                "Compostable Eco": "plant-based"}[style]}, model))
    return out


leaf("phone", "EL-PHN", (EL, "Phones", "Smartphones"), fixed=PHONE_MODELS, pop=1.8)
leaf("phone_case", "EL-PHN", (EL, "Phones", "Phone Cases"), fixed=_cases(), pop=1.3)
leaf("screen", "EL-PHN", (EL, "Phones", "Screen Protectors"),
     fixed=[(f"Tempered Glass Screen Protector for {m[4]} (2 Pack)", "Shieldware", 14.99 if "Pro" in m[4] or
             "Ultra" in m[4] else 12.99, {"compatible_with": m[4]}, m[4]) for m in PHONE_MODELS])
leaf("charger", "EL-PHN", (EL, "Phones", "Chargers & Power Banks"), "{kind}", 7, (15, 29),
     ["Voltix", "Chargeflow"],
     {"kind": ["20W USB-C Fast Charger", ("35W Dual Port USB-C Charger", 1.3), ("65W GaN Charger", 1.8),
               "15W Wireless Charging Pad", ("3-in-1 Wireless Charging Stand", 2.2), "Power Bank 10000mAh",
               ("Power Bank 20000mAh", 1.5), ("MagSafe Power Bank 5000mAh", 1.4)]}, pop=1.2)
leaf("cables", "EL-PHN", (EL, "Phones", "Cables"), "{kind} {length}", 5, (8, 15), ["Voltix", "Chargeflow"],
     {"kind": ["Braided USB-C to USB-C Cable", "USB-C to Lightning Cable", "USB-A to USB-C Cable"],
      "length": [("1m", 1.0), ("2m", 1.3)]})
leaf("headphones", "EL-AUD", (EL, "Audio", "Headphones"), "{model} {kind} Headphones", 6, (59, 249),
     ["Sonara", "Wavelyn", "Kaito"],
     {"model": ["Q40", "Studio 3", "Aura", "Drift", "Pulse"],
      "kind": [("Wireless Noise Cancelling", 1.5), "Over-Ear Studio", ("On-Ear Wireless", 0.7)],
      "colour": TECH_COLOURS}, ["colour"], pop=1.4)
leaf("earbuds", "EL-AUD", (EL, "Audio", "Earbuds"), "{model} {kind} Earbuds", 6, (29, 179),
     ["Sonara", "Wavelyn", "Nova"],
     {"model": ["Buds 2", "Aria Lite", "Pulse", "Flow", "Echo"],
      "kind": ["True Wireless", ("Noise Cancelling", 1.6), "Sport"], "colour": TECH_COLOURS}, ["colour"], pop=1.3)
leaf("speakers", "EL-AUD", (EL, "Audio", "Speakers"), "{model} {kind} Speaker", 6, (29, 199),
     ["Sonara", "Wavelyn", "Homely"],
     {"model": ["Boom", "Pebble", "Arc", "Wave"],
      "kind": ["Portable Bluetooth", "Waterproof Bluetooth", ("Smart Wi-Fi", 1.6), ("Bookshelf", 1.8)],
      "colour": TECH_COLOURS}, ["colour"])
leaf("laptop", "EL-PC", (EL, "Computing", "Laptops"), fixed=[
    ("Orbis Air 13in Laptop, 16GB/512GB", "Orbis", 999.0, {"colour": "silver", "screen": "13.3in"}, None),
    ("Orbis Air 15in Laptop, 16GB/1TB", "Orbis", 1299.0, {"colour": "midnight", "screen": "15.3in"}, None),
    ("Keystone Book 14 Laptop, 8GB/256GB", "Keystone", 549.0, {"colour": "grey", "screen": "14in"}, None),
    ("Keystone Book 16 Pro Laptop, 32GB/1TB", "Keystone", 1799.0, {"colour": "black", "screen": "16in"}, None),
    ("Kaito Flip 14 2-in-1 Laptop, 16GB/512GB", "Kaito", 849.0, {"colour": "blue", "screen": "14in"}, None),
    ("Nova Chromebook 14, 8GB/128GB", "Nova", 329.0, {"colour": "white", "screen": "14in"}, None),
], pop=1.5)
leaf("sleeve", "EL-PC", (EL, "Computing", "Laptop Sleeves & Bags"), "{material} Laptop {kind} {size}", 5, (19, 59),
     ["Kestrel", "Voltix"],
     {"material": ["Neoprene", "Recycled Felt", ("Leather", 1.8)], "kind": ["Sleeve", ("Messenger Bag", 1.5)],
      "size": ["13in", "14in", "16in"]}, ["material"])
leaf("mice_kb", "EL-PC", (EL, "Computing", "Mice & Keyboards"), "{kind}", 6, (15, 35), ["Keystone", "Voltix"],
     {"kind": ["Wireless Mouse", ("Ergonomic Vertical Mouse", 1.5), ("Mechanical Keyboard", 3.0),
               ("Slim Wireless Keyboard", 2.0), ("Keyboard & Mouse Combo", 2.2), "Travel Mouse"]})
leaf("hub", "EL-PC", (EL, "Computing", "USB-C Hubs"), "{ports}-in-1 USB-C Hub", 4, (19, 59), ["Voltix", "Keystone"],
     {"ports": [("4", 0.8), ("7", 1.0), ("9", 1.4), ("12", 1.9)]})
leaf("monitor", "EL-PC", (EL, "Computing", "Monitors"), "{size}in {res} Monitor", 4, (129, 249), ["Keystone", "Orbis"],
     {"size": [("24", 0.9), ("27", 1.1), ("32", 1.5)], "res": ["Full HD IPS", ("QHD 165Hz", 1.4), ("4K USB-C", 1.7)]})
leaf("smart_plug", "EL-SMH", (EL, "Smart Home", "Smart Plugs"), "Smart Plug {kind}", 3, (12, 29), ["Homely", "Brightnest"],
     {"kind": ["Mini", "with Energy Monitoring", "(4 Pack)"]})
leaf("smart_bulb", "EL-SMH", (EL, "Smart Home", "Smart Bulbs"), "{kind} Smart Bulb", 4, (9, 19),
     ["Brightnest", "Homely"],
     {"kind": ["Colour E27", "White B22", "Filament E27", ("GU10 Colour (3 Pack)", 2.2), "Tunable White E14"]})
leaf("doorbell", "EL-SMH", (EL, "Smart Home", "Video Doorbells"), "{kind} Video Doorbell", 3, (59, 149),
     ["Homely", "Brightnest"], {"kind": ["Battery", "Wired 2K", "Pro Wired"]})

# -- Beauty ------------------------------------------------------------------
HAIR_LINES = [
    ("Maison Verde", "Argan Repair", 9.5), ("Maison Verde", "Rosemary Scalp", 10.0),
    ("Silkroot", "Curl Define", 6.5), ("Silkroot", "Volume Boost", 6.0),
    ("Botanique Lab", "Colour Protect", 8.5), ("Botanique Lab", "Hydrating Coconut", 7.5),
    ("Aurelle", "Bond Repair", 22.0), ("Aurelle", "Purple Brightening", 19.0),
]
leaf("shampoo", "BE-HAI", (BE, "Haircare", "Shampoo"), consumable=35, pop=1.9,
     fixed=[(f"{r} Shampoo 250ml", b, p, {"range": r, "size": "250ml"}, r) for b, r, p in HAIR_LINES])
leaf("conditioner", "BE-HAI", (BE, "Haircare", "Conditioner"), consumable=42, pop=1.5,
     fixed=[(f"{r} Conditioner 250ml", b, round(p + 1.0, 2), {"range": r, "size": "250ml"}, r)
            for b, r, p in HAIR_LINES])
leaf("hair_mask", "BE-HAI", (BE, "Haircare", "Hair Masks"), consumable=60,
     fixed=[(f"{r} Hair Mask 200ml", b, math.floor(p * 1.4) + 0.99, {"range": r, "size": "200ml"}, r)
            for b, r, p in HAIR_LINES[::2] + HAIR_LINES[1:2]])
leaf("hair_tools", "BE-HAI", (BE, "Haircare", "Hair Tools"), "{model} {kind}", 6, (29, 89),
     ["Aurelle", "Stylance"],
     {"model": ["Pro", "Sleek", "Air", "Halo"],
      "kind": ["Ionic Hair Dryer", "Ceramic Hair Straightener", ("Hot Air Styler", 2.6), "Curling Wand 25mm"],
      "colour": ["black", "rose gold", "white", "midnight"]}, ["colour"], pop=1.2)
leaf("hair_acc", "BE-HAI", (BE, "Haircare", "Brushes & Accessories"), "{kind}", 4, (6, 18), ["Stylance", "Silkroot"],
     {"kind": ["Detangling Brush", "Silk Scrunchies (3)", "Bamboo Paddle Brush", "Microfibre Hair Towel",
               "Claw Clips (4)"]})
leaf("cleanser", "BE-SKN", (BE, "Skincare", "Cleansers"), "{kind} {size}", 6, (8, 18),
     ["Dermaluxe", "Purelle", "Seabloom"],
     {"kind": ["Gentle Foaming Cleanser", "Cream Cleanser", "Cleansing Oil", "Micellar Water", "Salicylic Acid Gel Cleanser",
               "Cleansing Balm"], "size": [("150ml", 1.0), ("400ml", 1.6)]}, ["size"], consumable=45, pop=1.3)
leaf("moisturiser", "BE-SKN", (BE, "Skincare", "Moisturisers"), "{kind} Moisturiser 50ml", 6, (12, 38),
     ["Dermaluxe", "Purelle", "Botanique Lab"],
     {"kind": ["Daily Hydrating", "Rich Night", "Oil-Free Gel", "SPF 30 Day", "Barrier Repair", "Tinted"]},
     consumable=50, pop=1.3)
leaf("serum", "BE-SKN", (BE, "Skincare", "Serums"), "{active} Serum 30ml", 6, (14, 45),
     ["Dermaluxe", "Purelle", "Botanique Lab"],
     {"active": ["Vitamin C 15%", "Hyaluronic Acid", "Niacinamide 10%", ("Retinol 0.3%", 1.3), ("Peptide", 1.4),
                 "Azelaic Acid 10%"]})
leaf("suncare", "BE-SKN", (BE, "Skincare", "Sun Protection"), "SPF {spf} {kind}", 4, (9, 24),
     ["Seabloom", "Dermaluxe"],
     {"spf": ["30", "50"], "kind": ["Sun Cream 200ml", "Face Fluid 50ml", "Kids Sun Spray 200ml"]})
leaf("edp", "BE-FRG", (BE, "Fragrance", "Eau de Parfum"), "{name} Eau de Parfum {size}", 7, (39, 75),
     ["Maison Verde", "Élan Noir", "Solène"],
     {"name": ["Velvet Fig", "Amber Noir", "Neroli Bloom", "Cedar & Salt", "Jasmine Nuit", "Oud Rosé", "Iris Poudré"],
      "size": [("30ml", 0.8), ("50ml", 1.1), ("100ml", 1.7)]}, ["size"], pop=1.2)
leaf("edt", "BE-FRG", (BE, "Fragrance", "Eau de Toilette"), "{name} Eau de Toilette {size}", 5, (25, 55),
     ["Solène", "Maison Verde", "Élan Noir"],
     {"name": ["Citrus Vert", "Blue Vetiver", "White Tea", "Sea Breeze", "Bergamot Club"],
      "size": [("50ml", 1.0), ("100ml", 1.5)]}, ["size"])
leaf("candles", "BE-FRG", (BE, "Fragrance", "Home Fragrance"), "{scent} Scented Candle 200g", 4, (18, 38),
     ["Maison Verde", "Wildmeadow"], {"scent": SCENTS})
leaf("shower_gel", "BE-BTH", (BE, "Bath & Body", "Shower Gel"), "{scent} Shower Gel 250ml", 6, (4, 9),
     ["Seabloom", "Wildmeadow", "Purelle"], {"scent": SCENTS}, consumable=30, pop=1.4)
leaf("body_lotion", "BE-BTH", (BE, "Bath & Body", "Body Lotion"), "{scent} Body Lotion 400ml", 5, (7, 16),
     ["Seabloom", "Wildmeadow", "Purelle"], {"scent": SCENTS}, consumable=45)
leaf("hand_cream", "BE-BTH", (BE, "Bath & Body", "Hand Cream"), "{scent} Hand Cream 75ml", 5, (5, 14),
     ["Wildmeadow", "Seabloom"], {"scent": SCENTS}, consumable=60)
leaf("gift_set", "BE-BTH", (BE, "Bath & Body", "Gift Sets"), "{scent} Bath & Body Gift Set", 4, (19, 45),
     ["Wildmeadow", "Seabloom", "Maison Verde"], {"scent": SCENTS})

# -- Toys & Books ----------------------------------------------------------------
AUTHORS = ["Imogen Hale", "Tom Ashworth", "Priya Natarajan", "Callum Reid", "Sofia Marchetti", "Ewan Macleod",
           "Harriet Vane", "Jonah Okafor", "Ailsa Grant", "Marek Nowak"]
leaf("fiction", "TB-BKS", (TB, "Books", "Fiction"), "The {adj} {noun}", 10, (8.99, 9.0),
     ["Harbourlight Books", "Penwright", "Kestrel Press"],
     {"adj": ["Silent", "Glass", "Winter", "Lantern", "Hollow", "Salt", "Paper", "Midnight", "Forgotten", "Copper"],
      "noun": ["Harbour", "Orchard", "Cartographer", "Lighthouse", "Garden", "Sisters", "Ferryman", "Archive",
               "Tide", "Orchestra"],
      "format": [("Paperback", 1.0), ("Hardback", 1.9)], "author": AUTHORS}, ["format", "author"], pop=1.2)
leaf("cookbooks", "TB-BKS", (TB, "Books", "Cookbooks"), fixed=[
    ("Coffee at Home: The Home Barista's Handbook", "Penwright", 18.99, {"format": "Hardback", "author": "Ailsa Grant"}, None),
    ("One Pan Suppers", "Kestrel Press", 16.99, {"format": "Hardback", "author": "Tom Ashworth"}, None),
    ("The Sourdough Year", "Penwright", 22.0, {"format": "Hardback", "author": "Marek Nowak"}, None),
    ("Fresh from the Garden", "Harbourlight Books", 20.0, {"format": "Hardback", "author": "Priya Natarajan"}, None),
    ("Weeknight Noodles", "Kestrel Press", 14.99, {"format": "Paperback", "author": "Jonah Okafor"}, None),
    ("Campfire Cooking", "Harbourlight Books", 12.99, {"format": "Paperback", "author": "Ewan Macleod"}, None),
])
leaf("travel", "TB-BKS", (TB, "Books", "Travel Guides"), "{place} Travel Guide 2027", 6, (10, 18),
     ["Wayfarer Guides", "Penwright"],
     {"place": ["Scottish Highlands", "Lake District", "Cornwall", "Iceland", "Japan", "Lisbon & Porto", "Norway",
                "Snowdonia"]})
leaf("kids_books", "TB-BKS", (TB, "Books", "Children's Books"), fixed=[
    ("Pip and the Moon Balloon", "Little Acorn", 6.99, {"format": "Paperback", "age": "3-5"}, None),
    ("The Dragon Who Lost His Roar", "Little Acorn", 7.99, {"format": "Paperback", "age": "4-7"}, None),
    ("Otto's Big Bus Day", "Little Acorn", 5.99, {"format": "Board book", "age": "0-3"}, None),
    ("Luna the Lighthouse Cat", "Harbourlight Books", 12.99, {"format": "Hardback", "age": "3-6"}, None),
    ("Ten Little Hedgehogs", "Little Acorn", 6.49, {"format": "Board book", "age": "0-3"}, None),
    ("The Midnight Museum Mystery", "Penwright", 7.99, {"format": "Paperback", "age": "8-12"}, None),
], pop=1.1)
leaf("building", "TB-TOY", (TB, "Toys", "Building Sets"), "{theme} Building Set ({pieces} Pieces)", 7, (19, 39),
     ["Brickworks", "Playfair"],
     {"theme": ["Space Station", "Castle", "Fire Station", "Pirate Ship", "City Tram", "Dinosaur Park", "Treehouse",
                "Mars Rover"],
      "pieces": [("220", 0.7), ("540", 1.3), ("1100", 2.6), ("1850", 3.6)]}, ["pieces"], pop=1.3)
leaf("board_games", "TB-TOY", (TB, "Toys", "Board Games"), fixed=[
    ("Harbour Lights Board Game", "Gameknight", 34.99, {"players": "2-5", "age": "10+"}, None),
    ("Dragon Market Board Game", "Gameknight", 29.99, {"players": "2-4", "age": "8+"}, None),
    ("Railway Barons Board Game", "Playfair", 44.99, {"players": "2-5", "age": "12+"}, None),
    ("Word Weavers Family Game", "Playfair", 19.99, {"players": "2-6", "age": "7+"}, None),
    ("Island Escape Co-op Game", "Gameknight", 24.99, {"players": "1-4", "age": "10+"}, None),
    ("Galaxy Traders Board Game", "Gameknight", 54.0, {"players": "3-5", "age": "14+"}, None),
], pop=1.1)
leaf("jigsaw", "TB-TOY", (TB, "Toys", "Jigsaw Puzzles"), "{scene} {pieces} Piece Jigsaw Puzzle", 6, (12, 16),
     ["Playfair", "Gameknight"],
     {"scene": ["Highland Cottage", "Christmas Market", "Library Cat", "Seaside Village", "Map of the Stars",
                "Bookshop Window"], "pieces": [("500", 0.8), ("1000", 1.0), ("2000", 1.6)]})
leaf("plush", "TB-TOY", (TB, "Toys", "Soft Toys"), "{animal} Soft Toy {size}", 5, (9.99, 24.99), ["Tumbletot", "Playfair"],
     {"animal": ["Highland Cow", "Sleepy Sloth", "Red Panda", "Puffin", "Otter", "Dachshund"],
      "size": [("20cm", 0.8), ("35cm", 1.4)]})
leaf("stem", "TB-TOY", (TB, "Toys", "STEM & Remote Control"), fixed=[
    ("Remote Control Stunt Car", "Playfair", 34.99, {"age": "6+", "batteries": "4 x AA"}, None),
    ("Coding Robot Kit", "Brickworks", 79.99, {"age": "8+", "batteries": "4 x AA"}, None),
    ("Crystal Growing Science Kit", "Playfair", 19.99, {"age": "8+"}, None),
    ("Kids' Refractor Telescope", "Gameknight", 59.0, {"age": "8+"}, None),
    ("Electronic Circuit Kit", "Brickworks", 39.99, {"age": "10+", "batteries": "2 x AA"}, None),
])
leaf("batteries", "TB-TOY", (TB, "Toys", "Batteries"), fixed=[
    ("AA Alkaline Batteries (12 Pack)", "Voltix", 7.99, {"size": "AA"}, None),
    ("AAA Alkaline Batteries (12 Pack)", "Voltix", 7.49, {"size": "AAA"}, None),
    ("Rechargeable AA Batteries (4 Pack) with Charger", "Voltix", 19.99, {"size": "AA"}, None),
], consumable=60)

# Complement groups ("bought together"): leaves in one group are bought in the
# same basket (or within days) with high probability. Within a group the
# cheap add-ons are picked more often than big-ticket items.
COMPLEMENT_GROUPS = [
    ["espresso", "grinder", "frother", "beans", "descaler"],
    ["cafetiere", "grinder", "beans"],
    ["beans", "descaler", "frother"],
    ["kettle", "tea", "teapot", "mugs"],
    ["frying_pan", "knives", "boards", "saucepans", "cookbooks"],
    ["casserole", "cookbooks", "boards"],
    ["duvet", "pillows", "bed_linen", "protector"],
    ["coats_w", "scarves", "hats_gloves", "boots"],
    ["jackets_m", "scarves", "hats_gloves", "boots"],
    ["dresses", "bags", "knitwear_w"],
    ["shirts_m", "trousers_m", "belts", "jumpers_m"],
    ["boots", "socks"], ["trainers", "socks"], ["slippers", "socks"],
    ["run_shoes", "run_socks", "bottle", "run_apparel", "energy", "run_acc"],
    ["tent", "sleeping_bag", "sleeping_mat", "stove", "gas", "camp_cook", "headtorch", "travel"],
    ["stove", "gas", "camp_cook"],
    ["helmet", "bike_lights", "tubes", "bike_lock", "bottle"],
    ["yoga_mat", "bands", "weights", "protein", "shaker"], ["protein", "shaker"],
    ["phone", "phone_case", "screen", "charger", "cables"],
    ["laptop", "sleeve", "mice_kb", "hub", "monitor"],
    ["headphones", "cables"], ["earbuds", "charger"],
    ["smart_plug", "smart_bulb", "doorbell"],
    ["shampoo", "conditioner", "hair_mask", "hair_acc"], ["hair_tools", "hair_mask", "hair_acc"],
    ["cleanser", "moisturiser", "serum", "suncare"],
    ["shower_gel", "body_lotion", "hand_cream"],
    ["building", "stem", "batteries"], ["stem", "batteries"],
    ["board_games", "jigsaw"], ["kids_books", "plush"], ["fiction", "candles"],
]

# Complement leaves whose `line` must match the anchor item (no fallback).
STRICT_LINE = ("phone_case", "screen")

# Leaf keys whose items are "seasonal": factor(start) -> factor(end), linear.
SEASON = {
    "SO-CMP": (1.7, 0.45), "SO-CYC": (1.3, 0.7), "TB-TOY": (0.6, 2.0), "BE-FRG": (0.7, 1.7),
    "FA-WMN": (0.8, 1.3), "FA-MEN": (0.8, 1.3), "FA-ACC": (0.6, 1.6), "HK-BED": (0.8, 1.3),
}


# ---------------------------------------------------------------------------
# Catalog generation
# ---------------------------------------------------------------------------

def charm(p: float, rng: random.Random) -> float:
    """Round a raw price to a plausible shelf price."""
    if p < 10:
        return round(math.floor(p) + rng.choice([0.49, 0.99, 0.99, 0.5]), 2)
    if p < 100:
        return round(math.floor(p) + rng.choice([0.99, 0.99, 0.0, 0.5]), 2)
    if p < 1000:
        return float(int(p / 10) * 10 + 9) + rng.choice([0.0, 0.0, 0.99])
    return float(int(p / 50) * 50 + 49)


def build_catalog():
    rng = random.Random(SEED)
    items = []
    leaves = {}
    counters: dict[str, int] = {}
    seen_titles: set[str] = set()
    for spec in LEAVES:
        lf = dict(spec)
        lf["items"] = []
        leaves[spec["key"]] = lf
        if spec["fixed"] is not None:
            raw = [(t, b, float(p), dict(a), line) for (t, b, p, a, line) in spec["fixed"]]
        else:
            raw = []
            for _ in range(spec["n"]):
                for _attempt in range(200):
                    chosen, factor = {}, 1.0
                    for pname, values in spec["pools"].items():
                        v = rng.choice(values)
                        if isinstance(v, tuple):
                            v, f = v
                            factor *= f
                        chosen[pname] = v
                    title = spec["fmt"].format(**chosen)
                    if title not in seen_titles and title not in [r[0] for r in raw]:
                        break
                else:
                    raise SystemExit(f"cannot make a unique title for {spec['key']}")
                lo, hi = spec["price"]
                price = charm((lo + (hi - lo) * rng.random()) * factor, rng)
                brand = rng.choice(spec["brands"])
                attrs = {k: chosen[k] for k in spec["attrs"]}
                if spec["sizes"]:
                    attrs["sizes"] = spec["sizes"]
                raw.append((title, brand, price, attrs, None))
        for title, brand, price, attrs, line in raw:
            assert title not in seen_titles, title
            seen_titles.add(title)
            counters[spec["code"]] = counters.get(spec["code"], 0) + 1
            sku = f"{spec['code']}-{counters[spec['code']]:04d}"
            assert price > 0 and math.isfinite(price)
            it = {
                "sku": sku, "title": title, "category": list(spec["path"]), "brand": brand,
                "price": round(price, 2), "tags": [], "attributes": dict(sorted(attrs.items())),
                "image": f"{IMAGE_BASE}{sku}.jpg",
                # internal fields (stripped on output)
                "_leaf": spec["key"], "_mid": spec["code"], "_line": line,
                "_consumable": spec["consumable"], "_w": 1.0, "_launch": 0, "_trend": False,
            }
            lf["items"].append(it)
            items.append(it)

    # Long-tail popularity: random rank within each leaf, Zipf weights.
    for key, lf in leaves.items():
        order = list(range(len(lf["items"])))
        rng.shuffle(order)
        if key == "espresso":  # the flagship machine is the leaf's bestseller
            order.remove(0)
            order.insert(0, 0)
        for rank, idx in enumerate(order):
            lf["items"][idx]["_w"] = 1.0 / (rank + 1) ** 1.15

    # Availability per channel and stock per store.
    zero_p = {"lon-oxford": 0.26, "man-arndale": 0.31, "edi-princes": 0.38}
    qty_max = {"lon-oxford": 24, "man-arndale": 16, "edi-princes": 8}
    for it in items:
        r = rng.random()
        if r < 0.08:
            it["availability"] = {"channels": ["web", "app"], "stores": {}}
            continue
        channels = ["web", "app", "store"] if r < 0.11 else list(ALL_CHANNELS)
        big = it["price"] >= 200
        stores = {}
        for sid in STORE_IDS:
            if rng.random() < zero_p[sid]:
                stores[sid] = 0
            else:
                top = max(2, qty_max[sid] // (4 if big else 1))
                stores[sid] = rng.randint(1, top)
        it["availability"] = {"channels": channels, "stores": stores}

    # The flagship espresso machine: exactly the README example.
    flagship = leaves["espresso"]["items"][0]
    assert flagship["sku"] == "HK-COF-0001"
    flagship["availability"] = {"channels": list(ALL_CHANNELS),
                                "stores": {"lon-oxford": 4, "man-arndale": 0, "edi-princes": 2}}

    # Trending items: ramp up over the last three weeks; some are brand new.
    trend_specs = [("coats_w", 2, False), ("board_games", 1, True), ("building", 2, True),
                   ("headphones", 2, False), ("edp", 1, False), ("hair_tools", 1, True),
                   ("knitwear_w", 3, False), ("smart_bulb", 1, False), ("espresso", 2, False),
                   ("boots", 2, False), ("earbuds", 1, True), ("jigsaw", 1, False)]
    launch_day = (_epoch("2026-10-19T00:00:00+00:00") - START) // DAY
    for key, rank, is_new in trend_specs:
        lf = leaves[key]
        ranked = sorted(lf["items"], key=lambda i: (-i["_w"], i["sku"]))
        it = ranked[min(rank, len(ranked) - 1)]
        it["_trend"] = True
        if is_new:
            it["_launch"] = launch_day
            it["tags"].append("new")
    return items, leaves


# ---------------------------------------------------------------------------
# Population events
# ---------------------------------------------------------------------------

ONLINE_HOURS = [1.0, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.0, 2.2, 2.4, 2.6, 3.2, 3.0, 2.6, 2.5, 2.6, 3.0,
                3.6, 4.6, 5.2, 4.8, 3.4, 2.0]
STORE_HOURS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1.0, 2.0, 3.0, 3.5, 3.5, 3.0, 3.0, 3.0, 3.0, 2.5, 1.5, 0, 0, 0, 0]
PERSONAS = {  # channel mix per session
    "web": {"web": 0.76, "app": 0.15, "kiosk": 0.05, "store": 0.04},
    "app": {"web": 0.15, "app": 0.76, "kiosk": 0.05, "store": 0.04},
    "store": {"web": 0.2, "app": 0.16, "kiosk": 0.34, "store": 0.3},
    "omni": {"web": 0.31, "app": 0.31, "kiosk": 0.2, "store": 0.18},
}
PERSONA_W = {"web": 0.34, "app": 0.30, "store": 0.15, "omni": 0.21}
TOP_W = {"Fashion": 0.22, "Home & Kitchen": 0.20, "Sports & Outdoors": 0.18, "Electronics": 0.17,
         "Beauty": 0.15, "Toys & Books": 0.08}
HOME_W = {"lon-oxford": 0.45, "man-arndale": 0.35, "edi-princes": 0.20}


def wchoice(rng: random.Random, mapping: dict):
    keys = list(mapping)
    return rng.choices(keys, [mapping[k] for k in keys])[0]


class World:
    def __init__(self, items, leaves):
        self.items = items
        self.by_sku = {i["sku"]: i for i in items}
        self.leaves = leaves
        self.mids: dict[str, list[str]] = {}
        self.mid_top: dict[str, str] = {}
        for key, lf in leaves.items():
            self.mids.setdefault(lf["code"], []).append(key)
            self.mid_top[lf["code"]] = lf["path"][0]
        self.tops: dict[str, list[str]] = {}
        for mid, top in self.mid_top.items():
            self.tops.setdefault(top, []).append(mid)
        # leaf browse weight and purchase propensity
        for key, lf in leaves.items():
            prices = sorted(i["price"] for i in lf["items"])
            med = prices[len(prices) // 2]
            lf["median"] = med
            lf["bw"] = len(lf["items"]) ** 0.6 * lf["pop"] * (1.5 if lf["consumable"] else 1.0)
            lf["p_cart"] = min(0.5, max(0.1, 0.42 * (med / 20.0) ** -0.28))
            lf["addon"] = 1.0 / math.sqrt(med) * (1.8 if lf["consumable"] else 1.0)
        self.mid_w = {mid: sum(leaves[k]["bw"] for k in ks) for mid, ks in self.mids.items()}
        comp: dict[str, list[str]] = {}
        for group in COMPLEMENT_GROUPS:
            for k in group:
                assert k in leaves, k
                for o in group:
                    if o != k and o not in comp.setdefault(k, []):
                        comp[k].append(o)
        self.comp = comp
        self.trending = [i for i in items if i["_trend"]]

    # -- time --------------------------------------------------------------
    @staticmethod
    def season(mid: str, t: int) -> float:
        a, b = SEASON.get(mid, (1.0, 1.0))
        x = (t - START) / (END - START)
        return a + (b - a) * x

    @staticmethod
    def ramp(t: int) -> float:
        return min(1.0, max(0.0, (t - TREND_START) / (END - TREND_START)))

    def at(self, rng, day: int, kind: str) -> int:
        hours = STORE_HOURS if kind == "store" else ONLINE_HOURS
        h = rng.choices(range(24), hours)[0]
        local = START + day * DAY + h * 3600 + rng.randrange(3600)
        return local - uk_offset(local)

    def pick_day(self, rng, lo: int, kind: str) -> int:
        while True:
            d = rng.randrange(lo, NDAYS)
            w = 1.0 + 0.45 * d / NDAYS
            dow = (d + 5) % 7  # 2026-08-01 is a Saturday -> dow 5
            if dow >= 5:
                w *= 1.45 if kind == "store" else 1.1
            if rng.random() * 2.2 < w:
                return d

    # -- items -------------------------------------------------------------
    def ok(self, it, t, store=None, channel=None) -> bool:
        if it["_launch"] and t < START + it["_launch"] * DAY:
            return False
        if channel is not None and channel not in it["availability"]["channels"]:
            return False
        if store is not None and it["availability"]["stores"].get(store, 0) <= 0:
            return False
        return True

    def pick_item(self, rng, leaf_key, t, store=None, channel=None, line=None):
        lf = self.leaves[leaf_key]
        cands = [i for i in lf["items"] if self.ok(i, t, store, channel)]
        if not cands:
            return None
        if line is not None:
            same = [i for i in cands if i["_line"] == line]
            strict = leaf_key in STRICT_LINE  # a case only fits its own phone
            if strict and not same:
                return None
            if same and (strict or rng.random() < 0.85):
                cands = same
        r = self.ramp(t)
        ws = [i["_w"] * (1.0 + 6.0 * r if i["_trend"] else 1.0) for i in cands]
        return rng.choices(cands, ws)[0]

    def pick_leaf(self, rng, mid):
        ks = self.mids[mid]
        return rng.choices(ks, [self.leaves[k]["bw"] for k in ks])[0]

    def complements(self, rng, it, t, store=None, channel=None, p1=0.62, p2=0.3, consumable_only=False):
        out = []
        others = self.comp.get(it["_leaf"], [])
        if consumable_only:
            others = [k for k in others if self.leaves[k]["consumable"]]
        if not others:
            return out
        for p in (p1, p2):
            if rng.random() >= p:
                break
            k = rng.choices(others, [self.leaves[o]["addon"] for o in others])[0]
            c = self.pick_item(rng, k, t, store, channel, line=it["_line"])
            if c is not None and c is not it and all(c is not o for o in out):
                out.append(c)
        return out


def make_users(rng, world, n=3000):
    users = []
    tops = list(TOP_W)
    for u in range(1, n + 1):
        nfav = 1 if rng.random() < 0.6 else 2
        fav = []
        while len(fav) < nfav:
            t = wchoice(rng, TOP_W)
            if t not in fav:
                fav.append(t)
        mid_w = {}
        for t in fav:
            mids = world.tops[t]
            loved = rng.sample(mids, 1 if rng.random() < 0.5 else 2)
            for m in mids:
                mid_w[m] = world.mid_w[m] * (6.0 if m in loved else 1.0)
        persona = wchoice(rng, PERSONA_W)
        start_day = 0 if rng.random() < 0.7 else rng.randrange(0, NDAYS - 10)
        sessions = max(1, min(45, int(rng.lognormvariate(1.42, 0.8))))
        users.append({
            "id": f"u{u:05d}", "fav": fav, "mid_w": mid_w, "persona": persona,
            "home": wchoice(rng, HOME_W), "start": start_day, "sessions": sessions,
            "other_tops": [t for t in tops if t not in fav],
        })
    return users


def gen_user_events(rng, world, user):
    ev = []  # (t, sku, type, channel, store)
    mix = PERSONAS[user["persona"]]
    owned: set[str] = set()  # durables are bought once per user

    def emit(t, it, typ, ch, store=""):
        if not START <= t < END:
            return
        if typ == "purchase" and not it["_consumable"]:
            if it["sku"] in owned:
                return
            owned.add(it["sku"])
        ev.append((t, it["sku"], typ, ch, store))

    def online_channel():
        w, a = mix["web"], mix["app"]
        return "web" if rng.random() < w / (w + a) else "app"

    def pick_mid(t):
        if rng.random() < 0.12:  # exploration outside the favourites
            top = rng.choice(user["other_tops"] or list(TOP_W))
            cand = {m: world.mid_w[m] for m in world.tops[top]}
        else:
            cand = user["mid_w"]
        return rng.choices(list(cand), [cand[m] * world.season(m, t) for m in cand])[0]

    def repurchase(it, t0):
        t = t0
        cur = it
        while True:
            t += int(cur["_consumable"] * DAY * rng.uniform(0.8, 1.25))
            if t >= END - DAY or rng.random() > 0.78:
                return
            if rng.random() < 0.12:
                alt = world.pick_item(rng, cur["_leaf"], t, channel="web")
                cur = alt or cur
            day = (t - START) // DAY
            ch = wchoice(rng, mix)
            home = user["home"]
            if ch in ("store", "kiosk") and world.ok(cur, t, home, "store"):
                tt = world.at(rng, day, "store")
                emit(tt, cur, "purchase", "store", home)
                for c in world.complements(rng, cur, tt, home, "store", 0.35, 0.0, consumable_only=True):
                    emit(tt + 5, c, "purchase", "store", home)
            else:
                ch = online_channel()
                tt = world.at(rng, day, "online")
                if rng.random() < 0.45:
                    emit(tt, cur, "view", ch)
                    tt += rng.randint(15, 90)
                emit(tt, cur, "add_to_cart", ch)
                basket = [cur]
                for c in world.complements(rng, cur, tt, None, None, 0.35, 0.0, consumable_only=True):
                    tt += rng.randint(20, 90)
                    emit(tt, c, "add_to_cart", ch)
                    basket.append(c)
                tt += rng.randint(60, 400)
                for b in basket:
                    emit(tt, b, "purchase", ch)
                    tt += 1
            t = tt

    def checkout_online(target, t, ch):
        t += rng.randint(20, 120)
        emit(t, target, "add_to_cart", ch)
        basket = [target]
        for c in world.complements(rng, target, t):
            t += rng.randint(20, 150)
            if rng.random() < 0.55:
                emit(t, c, "view", ch)
                t += rng.randint(15, 90)
            emit(t, c, "add_to_cart", ch)
            basket.append(c)
        t += rng.randint(60, 600)
        for b in basket:
            emit(t, b, "purchase", ch)
            t += 1
            if b["_consumable"]:
                repurchase(b, t)
        return t

    def pos_purchase(target, t, store):
        emit(t, target, "purchase", "store", store)
        t += 2
        for c in world.complements(rng, target, t, store, "store", 0.45, 0.15):
            emit(t, c, "purchase", "store", store)
            t += 2
        if target["_consumable"]:
            repurchase(target, t)
        return t

    for _ in range(user["sessions"]):
        ch = wchoice(rng, mix)
        kind = "store" if ch in ("kiosk", "store") else "online"
        day = world.pick_day(rng, user["start"], kind)
        t = world.at(rng, day, kind)
        if kind == "online":
            seed = None
            r = world.ramp(t)
            if r > 0 and rng.random() < 0.2 * r:
                tr = [i for i in world.trending if world.ok(i, t)]
                seed = rng.choice(tr) if tr else None
            if seed is not None:
                mid, lk = seed["_mid"], seed["_leaf"]
            else:
                mid = pick_mid(t)
                lk = world.pick_leaf(rng, mid)
            k = 1
            while k < 8 and rng.random() < 0.7:
                k += 1
            viewed = []
            for i in range(k):
                if i == 0 and seed is not None:
                    it = seed
                else:
                    lk2 = lk if rng.random() < 0.8 else world.pick_leaf(rng, mid)
                    it = world.pick_item(rng, lk2, t)
                if it is None:
                    continue
                emit(t, it, "view", ch)
                viewed.append(it)
                t += rng.randint(15, 160)
            if not viewed:
                continue
            if rng.random() < world.leaves[lk]["p_cart"]:
                target = rng.choices(viewed, [v["_w"] + 0.2 for v in viewed])[0]
                others = [v for v in viewed if v is not target]
                if others and rng.random() < 0.45:  # a second item goes in the cart and stays there
                    emit(t, rng.choice(others), "add_to_cart", ch)
                    t += rng.randint(10, 60)
                if rng.random() < 0.62:
                    checkout_online(target, t, ch)
                else:
                    emit(t + rng.randint(20, 90), target, "add_to_cart", ch)
                    if rng.random() < 0.4 and day + 1 < NDAYS:  # come back later and buy
                        d2 = min(NDAYS - 1, day + rng.randint(1, 5))
                        t2 = world.at(rng, d2, "online")
                        ch2 = online_channel()
                        emit(t2, target, "view", ch2)
                        t2 += rng.randint(30, 300)
                        emit(t2, target, "purchase", ch2)
        else:
            store = user["home"] if rng.random() < 0.85 else rng.choice(STORE_IDS)
            mid = pick_mid(t)
            lk = world.pick_leaf(rng, mid)
            if ch == "kiosk":
                k = 1
                while k < 6 and rng.random() < 0.6:
                    k += 1
                viewed = []
                for _i in range(k):
                    lk2 = lk if rng.random() < 0.8 else world.pick_leaf(rng, mid)
                    it = world.pick_item(rng, lk2, t, store, "kiosk")
                    if it is None:
                        continue
                    emit(t, it, "view", "kiosk", store)
                    viewed.append(it)
                    t += rng.randint(10, 90)
                if not viewed:
                    continue
                r = rng.random()
                target = rng.choice(viewed)
                if r < 0.36 and world.ok(target, t, store, "store"):
                    pos_purchase(target, t + rng.randint(120, 1500), store)
                elif r < 0.46:  # bought online later
                    d2 = min(NDAYS - 1, day + rng.randint(0, 3))
                    t2 = max(t + 600, world.at(rng, d2, "online"))
                    checkout_online(target, t2, online_channel())
            else:
                target = world.pick_item(rng, lk, t, store, "store")
                if target is None:
                    continue
                if rng.random() < 0.5 and day > 0:  # researched online first
                    d0 = max(0, day - rng.randint(1, 6))
                    t0 = world.at(rng, d0, "online")
                    if t0 < t - 3600:
                        c0 = online_channel()
                        emit(t0, target, "view", c0)
                        if rng.random() < 0.3:
                            emit(t0 + rng.randint(30, 200), target, "view", c0)
                pos_purchase(target, t, store)
    # make (ts, user) collisions impossible: strictly increasing per user
    ev.sort(key=lambda e: e[0])
    out = []
    last = -1
    for t, sku, typ, ch, st in ev:
        if t <= last:
            t = last + 1
        if t >= END:
            continue
        out.append((t, sku, typ, ch, st))
        last = t
    return out


def build_events(world):
    rng = random.Random(SEED + 1)
    users = make_users(rng, world)
    rows = []
    for u in users:
        for t, sku, typ, ch, st in gen_user_events(rng, world, u):
            rows.append((t, u["id"], sku, typ, ch, st))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return users, rows


# ---------------------------------------------------------------------------
# Customer profiles (hand-written stories over real catalog skus)
# ---------------------------------------------------------------------------

def sha(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def ev(type_, ts, channel, sku=None, category=None, store=None, query=None, offer=None, quantity=None,
       price=None):
    e = {"type": type_}
    if sku is not None:
        e["sku"] = sku
    if category is not None:
        e["category"] = category
    e["channel"] = channel
    if store is not None:
        e["store"] = store
    if query is not None:
        e["query"] = query
    if offer is not None:
        e["offer"] = offer
    e["ts"] = ts
    if quantity is not None:
        e["quantity"] = quantity
    if price is not None:
        e["price"] = price
    return e


def build_profiles(world, rng):
    by_sku = world.by_sku

    def best(leaf_key, pred=lambda i: True, skip=0):
        cands = [i for i in world.leaves[leaf_key]["items"] if pred(i) and not i["_launch"]]
        cands.sort(key=lambda i: (-i["_w"], i["sku"]))
        return cands[min(skip, len(cands) - 1)]

    def stocked(store, kiosk=False):
        def p(i):
            a = i["availability"]
            return a["stores"].get(store, 0) > 0 and ("kiosk" in a["channels"] if kiosk else "store" in a["channels"])
        return p

    def mid(it):
        return it["category"][1]

    def device(prefix):
        return f"{prefix}-{rng.getrandbits(64):016x}"

    def loyalty():
        return "UNI" + "".join(str(rng.randrange(10)) for _ in range(10))

    def purchase(it, ts, channel, store=None, quantity=1, price=None):
        return ev("purchase", ts, channel, sku=it["sku"], store=store, quantity=quantity,
                  price=price if price is not None else it["price"])

    profiles = {}
    story = {}

    # -- Anna: coffee lover, now at the kiosk in London ------------------------
    em = by_sku["HK-COF-0001"]
    em2 = best("espresso", lambda i: i is not em and stocked("lon-oxford", True)(i) and 400 < i["price"] < 800)
    grinder = best("grinder", lambda i: stocked("lon-oxford", True)(i) and "Hand" not in i["title"])
    grinder2 = best("grinder", lambda i: i is not grinder and stocked("lon-oxford")(i))
    beans = best("beans", lambda i: stocked("lon-oxford")(i) and "1kg" not in i["title"])
    beans2 = best("beans", lambda i: i is not beans and stocked("lon-oxford")(i) and "1kg" not in i["title"])
    descaler = best("descaler", lambda i: "Descaling" in i["title"])
    cafetiere = best("cafetiere", stocked("lon-oxford"))
    L = "lon-oxford"
    a = [
        ev("store_visit", "2026-08-15T10:38:00+01:00", "store", store=L),
        purchase(beans, "2026-08-15T10:52:14+01:00", "store", L, 2),
        purchase(cafetiere, "2026-08-15T10:52:14+01:00", "store", L, 1),
        ev("store_visit", "2026-09-05T11:02:00+01:00", "store", store=L),
        purchase(beans, "2026-09-05T11:14:40+01:00", "store", L, 2),
        ev("search", "2026-09-12T20:41:09Z", "web", query="descaler"),
        ev("view", "2026-09-12T20:41:52Z", "web", sku=descaler["sku"], category=mid(descaler)),
        ev("add_to_cart", "2026-09-12T20:43:30Z", "web", sku=descaler["sku"]),
        purchase(descaler, "2026-09-12T20:45:02Z", "web"),
        ev("store_visit", "2026-09-26T15:20:00+01:00", "store", store=L),
        purchase(beans, "2026-09-26T15:31:27+01:00", "store", L, 2),
        purchase(beans2, "2026-09-26T15:31:27+01:00", "store", L, 1),
        ev("offer_impression", "2026-10-08T07:30:00Z", "email", offer="COFFEE15"),
        ev("offer_click", "2026-10-08T08:12:44Z", "email", offer="COFFEE15"),
        ev("store_visit", "2026-10-17T12:05:00+01:00", "store", store=L),
        purchase(beans, "2026-10-17T12:19:03+01:00", "store", L, 2,
                 price=round(beans["price"] * 0.85, 2)),
        ev("offer_redeemed", "2026-10-17T12:19:03+01:00", "store", store=L, offer="COFFEE15"),
        ev("store_visit", "2026-11-07T11:40:00Z", "store", store=L),
        purchase(beans, "2026-11-07T11:51:36Z", "store", L, 2),
        ev("search", "2026-11-22T19:01:20Z", "app", query="espresso machine"),
        ev("view", "2026-11-22T19:02:11Z", "app", sku=em["sku"], category="Coffee"),
        ev("view", "2026-11-22T19:05:47Z", "app", sku=em2["sku"], category="Coffee"),
        ev("view", "2026-11-22T19:09:30Z", "app", sku=grinder["sku"], category="Coffee"),
        ev("view", "2026-11-22T19:12:02Z", "app", sku=grinder2["sku"], category="Coffee"),
        ev("view", "2026-11-22T19:16:25Z", "app", sku=em["sku"], category="Coffee"),
        ev("store_visit", "2026-11-23T11:41:00Z", "store", store=L),
    ]
    story["cust-anna"] = {"espresso_viewed": em["sku"], "espresso_compared": em2["sku"],
                          "grinders_viewed": [grinder["sku"], grinder2["sku"]],
                          "beans_repurchased": beans["sku"], "beans_tried": beans2["sku"],
                          "descaler": descaler["sku"], "cafetiere": cafetiere["sku"]}
    assert em["availability"]["stores"][L] > 0 and "kiosk" in em["availability"]["channels"]
    profiles["cust-anna"] = {
        "identifiers": [
            {"type": "email_sha256", "value": sha("anna.lindqvist@example.com")},
            {"type": "app_device", "value": device("ios")},
            {"type": "loyalty_card", "value": loyalty()},
        ],
        "consents": {"personalization": True, "marketing": True},
        "traits": {"tier": "gold", "preferred_store": L, "locale": "en-GB", "ltv_prior": 812.4,
                   "attributes": {"newsletter": "weekly", "favourite_roast": beans["attributes"]["roast"].lower()}},
        "segments": ["coffee-lovers"],
        "cart": [],
        "events": a,
    }

    # -- Ben: runner; kiosk in Manchester two days ago, now in the app ------------
    M = "man-arndale"
    shoes = best("run_shoes", stocked(M, True))
    shoes2 = best("run_shoes", lambda i: i is not shoes and stocked(M, True)(i))
    socks = best("run_socks")
    gels = best("energy")
    bottle = best("bottle")
    jacket = best("run_apparel", lambda i: "Jacket" in i["title"] or "Gilet" in i["title"])
    belt = best("run_acc")
    b = [
        ev("view", "2026-08-09T07:12:40Z", "web", sku=socks["sku"], category="Running"),
        ev("add_to_cart", "2026-08-09T07:14:02Z", "web", sku=socks["sku"]),
        ev("view", "2026-08-09T07:15:31Z", "web", sku=gels["sku"], category="Running"),
        ev("add_to_cart", "2026-08-09T07:16:10Z", "web", sku=gels["sku"]),
        purchase(socks, "2026-08-09T07:18:55Z", "web"),
        purchase(gels, "2026-08-09T07:18:55Z", "web", quantity=2),
        ev("view", "2026-08-30T18:40:03Z", "app", sku=bottle["sku"], category="Running"),
        ev("view", "2026-09-02T21:05:17Z", "web", sku=bottle["sku"], category="Running"),
        ev("add_to_cart", "2026-09-02T21:06:00Z", "web", sku=bottle["sku"]),
        ev("view", "2026-09-02T21:07:45Z", "web", sku=belt["sku"], category="Running"),
        ev("add_to_cart", "2026-09-02T21:08:12Z", "web", sku=belt["sku"]),
        purchase(bottle, "2026-09-02T21:10:30Z", "web"),
        purchase(belt, "2026-09-02T21:10:30Z", "web"),
        ev("search", "2026-09-27T08:30:11Z", "web", query="running socks"),
        ev("add_to_cart", "2026-09-27T08:31:02Z", "web", sku=socks["sku"]),
        purchase(socks, "2026-09-27T08:32:40Z", "web"),
        ev("view", "2026-10-20T19:55:29Z", "web", sku=jacket["sku"], category="Running"),
        ev("add_to_cart", "2026-10-20T19:57:00Z", "web", sku=jacket["sku"]),
        ev("add_to_cart", "2026-10-20T19:58:14Z", "web", sku=gels["sku"]),
        purchase(jacket, "2026-10-20T20:01:09Z", "web"),
        purchase(gels, "2026-10-20T20:01:09Z", "web", quantity=2),
        ev("store_visit", "2026-11-21T14:02:00Z", "store", store=M),
        ev("search", "2026-11-21T14:04:37Z", "kiosk", store=M, query="running shoes"),
        ev("view", "2026-11-21T14:05:10Z", "kiosk", sku=shoes["sku"], category="Running", store=M),
        ev("view", "2026-11-21T14:07:52Z", "kiosk", sku=shoes2["sku"], category="Running", store=M),
        ev("view", "2026-11-21T14:09:31Z", "kiosk", sku=shoes["sku"], category="Running", store=M),
    ]
    assert shoes["availability"]["stores"][M] > 0
    story["cust-ben"] = {"shoes_viewed_at_kiosk": shoes["sku"], "shoes_compared": shoes2["sku"],
                         "web_purchases": [socks["sku"], gels["sku"], bottle["sku"], belt["sku"], jacket["sku"]]}
    profiles["cust-ben"] = {
        "identifiers": [
            {"type": "email_sha256", "value": sha("ben.okafor@example.com")},
            {"type": "app_device", "value": device("android")},
            {"type": "loyalty_card", "value": loyalty()},
        ],
        "consents": {"personalization": True, "marketing": False},
        "traits": {"tier": "silver", "preferred_store": M, "locale": "en-GB", "ltv_prior": 246.0,
                   "attributes": {"runs_per_week": "4", "parkrun": "yes"}},
        "segments": ["runners"],
        "cart": [],
        "events": b,
    }

    # -- Chloe: brand new -----------------------------------------------------
    profiles["cust-chloe"] = {
        "identifiers": [{"type": "email_sha256", "value": sha("chloe.martin@example.com")}],
        "consents": {"personalization": True, "marketing": True},
        "traits": {"locale": "en-GB"},
        "segments": [],
        "cart": [],
        "events": [],
    }
    story["cust-chloe"] = {}

    # -- Dev: rich history, but no consent ---------------------------------------
    E = "edi-princes"
    laptop = best("laptop", lambda i: i["price"] > 900)
    laptop_alt = best("laptop", lambda i: i is not laptop)
    hub = best("hub")
    sleeve = best("sleeve")
    mouse = best("mice_kb", lambda i: "Mouse" in i["title"])
    phone = best("phone", lambda i: i["brand"] == "Orbis")
    phone_case = best("phone_case", lambda i: i["_line"] == phone["_line"])
    headphones = best("headphones", stocked(E))
    earbuds = best("earbuds")
    monitor = best("monitor")
    fic = best("fiction")
    d = [
        ev("search", "2026-08-03T22:14:09Z", "web", query="laptop 16gb"),
        ev("view", "2026-08-03T22:15:40Z", "web", sku=laptop["sku"], category="Computing"),
        ev("view", "2026-08-03T22:18:02Z", "web", sku=laptop_alt["sku"], category="Computing"),
        ev("view", "2026-08-05T12:31:55Z", "app", sku=laptop["sku"], category="Computing"),
        ev("add_to_cart", "2026-08-05T12:33:10Z", "app", sku=laptop["sku"]),
        ev("add_to_cart", "2026-08-05T12:34:41Z", "app", sku=sleeve["sku"]),
        ev("add_to_cart", "2026-08-05T12:35:20Z", "app", sku=hub["sku"]),
        purchase(laptop, "2026-08-05T12:38:00Z", "app"),
        purchase(sleeve, "2026-08-05T12:38:00Z", "app"),
        purchase(hub, "2026-08-05T12:38:00Z", "app"),
        ev("view", "2026-08-19T20:02:31Z", "web", sku=mouse["sku"], category="Computing"),
        ev("add_to_cart", "2026-08-19T20:03:05Z", "web", sku=mouse["sku"]),
        purchase(mouse, "2026-08-19T20:04:48Z", "web"),
        ev("view", "2026-09-08T18:25:00Z", "web", sku=monitor["sku"], category="Computing"),
        ev("view", "2026-09-08T18:29:13Z", "web", sku=monitor["sku"], category="Computing"),
        ev("store_visit", "2026-09-19T14:10:00+01:00", "store", store=E),
        ev("view", "2026-09-19T14:16:27+01:00", "kiosk", sku=headphones["sku"], category="Audio", store=E),
        purchase(headphones, "2026-09-19T14:31:02+01:00", "store", E),
        ev("search", "2026-10-02T09:12:44-05:00", "app", query="noise cancelling earbuds"),
        ev("view", "2026-10-02T09:13:30-05:00", "app", sku=earbuds["sku"], category="Audio"),
        ev("view", "2026-10-03T21:40:02-05:00", "app", sku=fic["sku"], category="Books"),
        ev("add_to_cart", "2026-10-03T21:41:15-05:00", "app", sku=fic["sku"]),
        purchase(fic, "2026-10-03T21:42:00-05:00", "app"),
        ev("offer_impression", "2026-10-28T08:00:00Z", "email", offer="TECH50"),
        ev("offer_dismissed", "2026-10-28T08:00:41Z", "email", offer="TECH50"),
        ev("search", "2026-11-10T19:20:15Z", "web", query="orbis s9"),
        ev("view", "2026-11-10T19:21:02Z", "web", sku=phone["sku"], category="Phones"),
        ev("view", "2026-11-10T19:24:40Z", "web", sku=phone_case["sku"], category="Phones"),
        ev("view", "2026-11-18T07:55:12Z", "app", sku=phone["sku"], category="Phones"),
        ev("add_to_cart", "2026-11-18T07:56:30Z", "app", sku=phone["sku"]),
        ev("remove_from_cart", "2026-11-18T08:01:09Z", "app", sku=phone["sku"]),
        ev("view", "2026-11-22T22:47:19Z", "web", sku=earbuds["sku"], category="Audio"),
    ]
    story["cust-dev"] = {"laptop_bought": laptop["sku"], "phone_considered": phone["sku"],
                         "headphones_bought_in_store": headphones["sku"], "earbuds_viewed": earbuds["sku"]}
    profiles["cust-dev"] = {
        "identifiers": [
            {"type": "email_sha256", "value": sha("dev.patel@example.com")},
            {"type": "app_device", "value": device("ios")},
            {"type": "loyalty_card", "value": loyalty()},
        ],
        "consents": {"personalization": False, "marketing": False},
        "traits": {"tier": "silver", "preferred_store": E, "locale": "en-GB", "ltv_prior": 120.0,
                   "attributes": {"newsletter": "none"}},
        "segments": ["tech-enthusiasts"],
        "cart": [],
        "events": d,
    }

    # -- Elif: outdoor gear, tent in the cart -----------------------------------
    tent = best("tent", lambda i: stocked(E, True)(i) and i["price"] < 250)
    tent_alt = best("tent", lambda i: i is not tent and stocked(E, True)(i))
    bag = best("sleeping_bag")
    bag2 = best("sleeping_bag", lambda i: i is not bag)
    mat = best("sleeping_mat")
    stove = best("stove", stocked(E))
    gas = best("gas", stocked(E))
    guide = best("travel", lambda i: "Highlands" in i["title"] or "Norway" in i["title"] or "Iceland" in i["title"])
    torch = best("headtorch")
    f = [
        ev("view", "2026-08-06T20:11:02Z", "web", sku=stove["sku"], category="Camping"),
        ev("store_visit", "2026-08-08T11:20:00+01:00", "store", store=E),
        purchase(stove, "2026-08-08T11:34:51+01:00", "store", E),
        purchase(gas, "2026-08-08T11:34:51+01:00", "store", E, 2),
        ev("view", "2026-08-21T19:45:10Z", "app", sku=torch["sku"], category="Camping"),
        ev("add_to_cart", "2026-08-21T19:46:00Z", "app", sku=torch["sku"]),
        purchase(torch, "2026-08-21T19:47:31Z", "app"),
        ev("store_visit", "2026-09-12T10:05:00+01:00", "store", store=E),
        purchase(gas, "2026-09-12T10:12:20+01:00", "store", E, 2),
        ev("view", "2026-09-30T21:02:18Z", "web", sku=guide["sku"], category="Books"),
        ev("add_to_cart", "2026-09-30T21:03:00Z", "web", sku=guide["sku"]),
        purchase(guide, "2026-09-30T21:04:12Z", "web"),
        ev("offer_impression", "2026-11-02T08:00:00Z", "email", offer="OUTDOOR20"),
        ev("search", "2026-11-14T20:33:51Z", "web", query="tent"),
        ev("view", "2026-11-14T20:34:40Z", "web", sku=tent["sku"], category="Camping"),
        ev("view", "2026-11-14T20:38:02Z", "web", sku=tent_alt["sku"], category="Camping"),
        ev("store_visit", "2026-11-15T13:02:00Z", "store", store=E),
        ev("view", "2026-11-15T13:06:19Z", "kiosk", sku=tent["sku"], category="Camping", store=E),
        ev("view", "2026-11-15T13:09:44Z", "kiosk", sku=bag["sku"], category="Camping", store=E)
        if bag["availability"]["stores"].get(E, 0) > 0 and "kiosk" in bag["availability"]["channels"]
        else ev("view", "2026-11-15T13:09:44Z", "kiosk", sku=tent_alt["sku"], category="Camping", store=E),
        ev("offer_click", "2026-11-20T07:41:10Z", "email", offer="OUTDOOR20"),
        ev("view", "2026-11-20T07:42:02Z", "app", sku=tent["sku"], category="Camping"),
        ev("add_to_cart", "2026-11-20T07:43:30Z", "app", sku=tent["sku"]),
        ev("view", "2026-11-20T07:45:12Z", "app", sku=bag["sku"], category="Camping"),
        ev("add_to_cart", "2026-11-20T07:46:01Z", "app", sku=bag["sku"]),
        ev("view", "2026-11-20T07:48:40Z", "app", sku=bag2["sku"], category="Camping"),
        ev("remove_from_cart", "2026-11-20T07:50:15Z", "app", sku=bag["sku"]),
        ev("view", "2026-11-22T18:20:33Z", "web", sku=mat["sku"], category="Camping"),
        ev("add_to_cart", "2026-11-22T18:21:09Z", "web", sku=mat["sku"]),
    ]
    assert tent["availability"]["stores"][E] > 0
    story["cust-elif"] = {"tent_in_cart": tent["sku"], "mat_in_cart": mat["sku"], "removed_from_cart": bag["sku"],
                          "stove": stove["sku"], "gas": gas["sku"]}
    profiles["cust-elif"] = {
        "identifiers": [
            {"type": "email_sha256", "value": sha("elif.yilmaz@example.com")},
            {"type": "app_device", "value": device("android")},
            {"type": "loyalty_card", "value": loyalty()},
        ],
        "consents": {"personalization": True, "marketing": True},
        "traits": {"tier": "gold", "preferred_store": E, "locale": "en-GB", "ltv_prior": 530.0,
                   "attributes": {"newsletter": "monthly", "interests": "hillwalking,wild camping"}},
        "segments": ["outdoor-enthusiasts"],
        "cart": [{"sku": tent["sku"], "quantity": 1}, {"sku": mat["sku"], "quantity": 1}],
        "events": f,
    }

    # -- Farah: Segment / GA4 event names ---------------------------------------
    dress = best("dresses")
    dress2 = best("dresses", skip=1)
    bagf = best("bags")
    boots = best("boots")
    serum = best("serum")
    moist = best("moisturiser")
    scarf = best("scarves")
    fa = [
        ev("Product Viewed", "2026-09-03T12:40:11Z", "web", sku=dress["sku"], category="Womenswear"),
        ev("Product Viewed", "2026-09-03T12:42:30Z", "web", sku=dress2["sku"], category="Womenswear"),
        ev("Product Added", "2026-09-03T12:44:02Z", "web", sku=dress["sku"]),
        ev("Product Viewed", "2026-09-03T12:45:19Z", "web", sku=bagf["sku"], category="Accessories"),
        ev("Product Added", "2026-09-03T12:46:00Z", "web", sku=bagf["sku"]),
        ev("Order Completed", "2026-09-03T12:49:37Z", "web", sku=dress["sku"], quantity=1, price=dress["price"]),
        ev("Order Completed", "2026-09-03T12:49:37Z", "web", sku=bagf["sku"], quantity=1, price=bagf["price"]),
        ev("view_item", "2026-10-11T21:15:04Z", "app", sku=serum["sku"], category="Skincare"),
        ev("view_item", "2026-10-11T21:16:40Z", "app", sku=moist["sku"], category="Skincare"),
        ev("add_to_cart", "2026-10-11T21:17:22Z", "app", sku=serum["sku"]),
        ev("add_to_cart", "2026-10-11T21:17:50Z", "app", sku=moist["sku"]),
        ev("purchase", "2026-10-11T21:20:05Z", "app", sku=serum["sku"], quantity=1, price=serum["price"]),
        ev("purchase", "2026-10-11T21:20:05Z", "app", sku=moist["sku"], quantity=1, price=moist["price"]),
        ev("Product Viewed", "2026-11-16T13:05:44Z", "web", sku=boots["sku"], category="Footwear"),
        ev("view_item", "2026-11-19T08:10:31Z", "app", sku=boots["sku"], category="Footwear"),
        ev("view_item", "2026-11-19T08:12:03Z", "app", sku=scarf["sku"], category="Accessories"),
        ev("Product Added", "2026-11-19T08:13:15Z", "app", sku=boots["sku"]),
    ]
    story["cust-farah"] = {"dress_bought": dress["sku"], "bag_bought": bagf["sku"], "boots_in_cart": boots["sku"],
                           "skincare_bought": [serum["sku"], moist["sku"]]}
    profiles["cust-farah"] = {
        "identifiers": [
            {"type": "email_sha256", "value": sha("farah.haddad@example.com")},
            {"type": "app_device", "value": device("ios")},
        ],
        "consents": {"personalization": True, "marketing": True},
        "traits": {"tier": "bronze", "preferred_store": "lon-oxford", "locale": "en-GB", "ltv_prior": 95.0,
                   "attributes": {"source": "segment-export"}},
        "segments": ["fashion-forward"],
        "cart": [{"sku": boots["sku"], "quantity": 1}],
        "events": fa,
    }

    # -- Gus: call centre + email, beauty consumables (events deliberately unsorted) --
    shampoo = best("shampoo", lambda i: i["_line"] == "Argan Repair")
    cond = next(i for i in world.leaves["conditioner"]["items"] if i["_line"] == shampoo["_line"])
    mask = next(i for i in world.leaves["hair_mask"]["items"] if i["_line"] == shampoo["_line"])
    gel = best("shower_gel")
    lotion = best("body_lotion")
    g_sorted = [
        ev("purchase", "2026-08-04T10:12:00+01:00", "call_center", sku=shampoo["sku"], quantity=2, price=shampoo["price"]),
        ev("purchase", "2026-08-04T10:12:00+01:00", "call_center", sku=cond["sku"], quantity=2, price=cond["price"]),
        ev("offer_impression", "2026-08-20T07:00:00Z", "email", offer="HAIR15"),
        ev("offer_dismissed", "2026-08-20T07:03:12Z", "email", offer="HAIR15"),
        ev("purchase", "2026-09-01T09:48:30+01:00", "call_center", sku=shampoo["sku"], quantity=2, price=shampoo["price"]),
        ev("purchase", "2026-09-01T09:48:30+01:00", "call_center", sku=cond["sku"], quantity=1, price=cond["price"]),
        ev("purchase", "2026-09-01T09:48:30+01:00", "call_center", sku=gel["sku"], quantity=3, price=gel["price"]),
        ev("offer_impression", "2026-09-22T07:00:00Z", "email", offer="BEAUTY10"),
        ev("offer_click", "2026-09-22T18:31:05Z", "email", offer="BEAUTY10"),
        ev("view", "2026-09-22T18:31:40Z", "web", sku=mask["sku"], category="Haircare"),
        ev("purchase", "2026-09-29T11:05:10+01:00", "call_center", sku=shampoo["sku"], quantity=2,
           price=round(shampoo["price"] * 0.9, 2)),
        ev("purchase", "2026-09-29T11:05:10+01:00", "call_center", sku=mask["sku"], quantity=1,
           price=round(mask["price"] * 0.9, 2)),
        ev("offer_redeemed", "2026-09-29T11:05:10+01:00", "call_center", offer="BEAUTY10"),
        ev("offer_impression", "2026-10-20T07:00:00Z", "email", offer="WINTER10"),
        ev("purchase", "2026-10-27T10:30:00Z", "call_center", sku=shampoo["sku"], quantity=2, price=shampoo["price"]),
        ev("purchase", "2026-10-27T10:30:00Z", "call_center", sku=cond["sku"], quantity=2, price=cond["price"]),
        ev("purchase", "2026-10-27T10:30:00Z", "call_center", sku=lotion["sku"], quantity=1, price=lotion["price"]),
        ev("offer_impression", "2026-11-13T07:00:00Z", "email", offer="WINTER10"),
        ev("offer_click", "2026-11-13T12:02:48Z", "email", offer="WINTER10"),
        ev("purchase", "2026-11-17T09:22:15-05:00", "call_center", sku=shampoo["sku"], quantity=2,
           price=shampoo["price"]),
        ev("purchase", "2026-11-17T09:22:15-05:00", "call_center", sku=gel["sku"], quantity=2, price=gel["price"]),
        ev("offer_impression", "2026-11-21T07:00:00Z", "email", offer="GIFTSET20"),
    ]
    # deliberately unsorted: the call-centre export was appended after the email log
    order = [2, 3, 7, 8, 9, 13, 17, 18, 21, 0, 1, 4, 5, 6, 10, 11, 12, 14, 15, 16, 19, 20]
    assert sorted(order) == list(range(len(g_sorted)))
    story["cust-gus"] = {"shampoo": shampoo["sku"], "conditioner": cond["sku"], "hair_mask": mask["sku"],
                         "shower_gel": gel["sku"], "body_lotion": lotion["sku"]}
    profiles["cust-gus"] = {
        "identifiers": [
            {"type": "email_sha256", "value": sha("gus.fernandes@example.com")},
            {"type": "loyalty_card", "value": loyalty()},
        ],
        "consents": {"personalization": True, "marketing": True},
        "traits": {"tier": "platinum", "preferred_store": "man-arndale", "locale": "en-GB", "ltv_prior": 1610.0,
                   "attributes": {"contact_preference": "phone", "newsletter": "weekly"}},
        "segments": ["beauty-regulars", "call-centre-customers"],
        "cart": [],
        "events": [g_sorted[i] for i in order],
    }

    # -- Hana: Christmas gift shopper, toys & books, trending items --------------
    trending_toys = [i for i in world.trending if i["category"][0] == TB]
    trending_toys.sort(key=lambda i: i["sku"])
    game = next(i for i in trending_toys if i["_leaf"] == "board_games")
    bset = next(i for i in trending_toys if i["_leaf"] == "building")
    kb = best("kids_books")
    plush = best("plush")
    batt = best("batteries")
    stem = best("stem", lambda i: "batteries" in i["attributes"])
    hh = [
        ev("view", "2026-10-05T20:30:12Z", "app", sku=kb["sku"], category="Books"),
        ev("add_to_cart", "2026-10-05T20:31:00Z", "app", sku=kb["sku"]),
        ev("add_to_cart", "2026-10-05T20:32:10Z", "app", sku=plush["sku"]),
        purchase(kb, "2026-10-05T20:34:55Z", "app"),
        purchase(plush, "2026-10-05T20:34:55Z", "app"),
        ev("offer_impression", "2026-11-09T07:00:00Z", "email", offer="GIFTS3FOR2"),
        ev("search", "2026-11-12T21:02:03Z", "app", query="gifts for 8 year old"),
        ev("view", "2026-11-12T21:02:40Z", "app", sku=bset["sku"], category="Toys"),
        ev("view", "2026-11-12T21:04:18Z", "app", sku=stem["sku"], category="Toys"),
        ev("view", "2026-11-12T21:06:55Z", "app", sku=game["sku"], category="Toys"),
        ev("add_to_cart", "2026-11-12T21:08:01Z", "app", sku=stem["sku"]),
        ev("add_to_cart", "2026-11-12T21:08:40Z", "app", sku=batt["sku"]),
        purchase(stem, "2026-11-12T21:11:30Z", "app"),
        purchase(batt, "2026-11-12T21:11:30Z", "app"),
        ev("view", "2026-11-21T10:15:09Z", "web", sku=game["sku"], category="Toys"),
        ev("view", "2026-11-21T10:17:44Z", "web", sku=bset["sku"], category="Toys"),
    ]
    story["cust-hana"] = {"trending_viewed": [bset["sku"], game["sku"]], "stem_bought": stem["sku"],
                          "batteries": batt["sku"]}
    profiles["cust-hana"] = {
        "identifiers": [
            {"type": "email_sha256", "value": sha("hana.kowalski@example.com")},
            {"type": "app_device", "value": device("android")},
        ],
        "consents": {"personalization": True, "marketing": True},
        "traits": {"tier": "bronze", "preferred_store": "lon-oxford", "locale": "en-GB", "ltv_prior": 60.0,
                   "attributes": {"children": "2"}},
        "segments": ["gift-shoppers", "parents"],
        "cart": [],
        "events": hh,
    }

    # finalize: schema first, lifetime_value = prior spend + purchases in the history
    out = {}
    for pid, p in profiles.items():
        traits = dict(p["traits"])
        prior = traits.pop("ltv_prior", None)
        if prior is not None:
            spent = sum(e.get("price", 0) * e.get("quantity", 1) for e in p["events"]
                        if e["type"] in ("purchase", "Order Completed"))
            traits = {"tier": traits["tier"], "preferred_store": traits["preferred_store"],
                      "locale": traits["locale"], "lifetime_value": round(prior + spent, 2),
                      "attributes": traits["attributes"]}
        out[pid] = {"schema": "unisono.profile/1", "id": pid, "identifiers": p["identifiers"],
                    "consents": p["consents"], "traits": traits, "segments": p["segments"],
                    "cart": p["cart"], "events": p["events"]}
    return out, story


# ---------------------------------------------------------------------------
# Tags (after events: bestsellers are real bestsellers of the sample)
# ---------------------------------------------------------------------------

ECO_WORDS = ("Bamboo", "Recycled", "Organic", "Compostable", "Cork", "British Wool", "Natural Rubber",
             "PVC-Free", "Rechargeable", "Plant", "Refill")


def assign_tags(items, rows, rng):
    sold: dict[str, int] = {}
    for r in rows:
        if r[3] == "purchase":
            sold[r[2]] = sold.get(r[2], 0) + 1
    ranked = sorted(items, key=lambda i: (-sold.get(i["sku"], 0), i["sku"]))
    best = {i["sku"] for i in ranked[:24]}
    best.add("HK-COF-0001")
    for it in items:
        tags = list(it["tags"])
        if it["sku"] in best:
            tags.append("bestseller")
        if any(w in it["title"] for w in ECO_WORDS) or any(
                w.lower() in " ".join(it["attributes"].values()).lower() for w in ("plant-based", "organic", "cork")):
            tags.append("eco")
        r = rng.random()
        if r < 0.06 and "new" not in tags:
            tags.append("sale")
            it["attributes"]["was_price"] = f"{round(it['price'] * rng.choice([1.2, 1.25, 1.33]), 2):.2f}"
            it["attributes"] = dict(sorted(it["attributes"].items()))
        elif r < 0.09 and it["availability"]["stores"]:
            tags.append("exclusive")
        order = ["new", "bestseller", "eco", "sale", "exclusive"]
        it["tags"] = sorted(set(tags), key=order.index)
    return sold


# ---------------------------------------------------------------------------
# Output + checks
# ---------------------------------------------------------------------------

def dump(path, obj, indent=2):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(json.dumps(obj, indent=indent, ensure_ascii=False) + "\n")


def public_item(it):
    return {k: it[k] for k in ("sku", "title", "category", "brand", "price", "tags", "attributes", "image",
                               "availability")}


def parse_ts(s: str) -> int:
    return int(datetime.fromisoformat(s).timestamp())


def check(items, world, rows, profiles, sold):
    skus = [i["sku"] for i in items]
    assert len(items) >= 520, len(items)
    assert len(set(skus)) == len(skus) and skus == sorted(skus)
    assert len({i["title"] for i in items}) == len(items)
    for it in items:
        assert len(it["category"]) == 3 and it["price"] > 0 and math.isfinite(it["price"])
        assert round(it["price"], 2) == it["price"]
        a = it["availability"]
        assert set(a["channels"]) <= set(ALL_CHANNELS) and a["channels"]
        if "store" in a["channels"] or "kiosk" in a["channels"]:
            assert list(a["stores"]) == STORE_IDS
            assert all(isinstance(q, int) and q >= 0 for q in a["stores"].values())
        else:
            assert a["stores"] == {}
    online_only = sum(1 for i in items if i["availability"]["channels"] == ["web", "app"])
    assert 0.05 < online_only / len(items) < 0.11
    stocked = [i for i in items if i["availability"]["stores"]]
    for sid in STORE_IDS:
        zero = sum(1 for i in stocked if i["availability"]["stores"][sid] == 0) / len(stocked)
        assert 0.2 < zero < 0.45, (sid, zero)
    tagged = sum(1 for i in items if i["tags"])
    assert tagged / len(items) < 0.35

    by = world.by_sku
    assert len(rows) >= 60000, len(rows)
    users = {r[1] for r in rows}
    assert 2800 <= len(users) <= 3000
    assert rows == sorted(rows, key=lambda r: (r[0], r[1], r[2]))
    types = {"view": 0, "add_to_cart": 0, "purchase": 0}
    seen: set = set()
    preceded = purchases = 0
    for t, u, sku, typ, ch, st in rows:
        assert START <= t < END
        it = by[sku]
        types[typ] += 1
        assert ch in it["availability"]["channels"], (sku, ch)
        if ch in ("kiosk", "store"):
            assert st in STORE_IDS and it["availability"]["stores"][st] > 0, (sku, ch, st)
            assert typ == ("view" if ch == "kiosk" else "purchase")
        else:
            assert st == ""
        if typ == "purchase":
            purchases += 1
            if (u, sku) in seen:
                preceded += 1
        else:
            seen.add((u, sku))
        if it["_launch"]:
            assert t >= START + it["_launch"] * DAY
    n = len(rows)
    share = {k: v / n for k, v in types.items()}
    assert 0.62 < share["view"] < 0.76 and 0.11 < share["add_to_cart"] < 0.2 and 0.1 < share["purchase"] < 0.2, share

    for pid, p in profiles.items():
        assert p["schema"] == "unisono.profile/1" and p["id"] == pid
        assert pid == "cust-chloe" or 8 <= len(p["events"]) <= 60, (pid, len(p["events"]))
        for idf in p["identifiers"]:
            if idf["type"] == "email_sha256":
                assert len(idf["value"]) == 64
        for c in p["cart"]:
            assert c["sku"] in by and c["quantity"] > 0
        for e in p["events"]:
            t = parse_ts(e["ts"])
            assert START <= t < NOW, (pid, e)
            if "sku" in e:
                assert e["sku"] in by, (pid, e)
            if e["channel"] in ("kiosk", "store") and "sku" in e:
                assert by[e["sku"]]["availability"]["stores"].get(e["store"], 0) > 0, (pid, e)
            if "price" in e:
                assert e["price"] > 0
            if "quantity" in e:
                assert isinstance(e["quantity"], int) and e["quantity"] > 0
        ts = [parse_ts(e["ts"]) for e in p["events"]]
        if pid == "cust-gus":
            assert ts != sorted(ts)
        else:
            assert ts == sorted(ts), pid
    return types, preceded / purchases, online_only


def main():
    items, leaves = build_catalog()
    items.sort(key=lambda i: i["sku"])
    world = World(items, leaves)
    users, rows = build_events(world)
    sold = assign_tags(items, rows, random.Random(SEED + 2))
    profiles, story = build_profiles(world, random.Random(SEED + 3))
    types, preceded, online_only = check(items, world, rows, profiles, sold)

    dump(os.path.join(HERE, "catalog.json"), {
        "schema": "unisono.catalog/1", "version": CATALOG_VERSION, "stores": STORES,
        "items": [public_item(i) for i in items]}, indent=1)
    with open(os.path.join(HERE, "events.csv"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write("user_id,sku,ts,type,channel,store\n")
        for t, u, sku, typ, ch, st in rows:
            fh.write(f"{u},{sku},{iso_z(t)},{typ},{ch},{st}\n")
    pdir = os.path.join(HERE, "profiles")
    os.makedirs(pdir, exist_ok=True)
    for pid, p in profiles.items():
        dump(os.path.join(pdir, f"{pid}.json"), p)

    # summary
    n = len(rows)
    print(f"items: {len(items)} ({online_only} online-only); events: {n} from {len({r[1] for r in rows})} users")
    print("types: " + ", ".join(f"{k} {v} ({v / n:.1%})" for k, v in types.items()))
    chs: dict[str, int] = {}
    for r in rows:
        chs[r[4]] = chs.get(r[4], 0) + 1
    print("channels: " + ", ".join(f"{k} {v}" for k, v in sorted(chs.items())))
    print(f"purchases preceded by a view/cart of the same sku: {preceded:.1%}")
    print("trending: " + ", ".join(f"{i['sku']} {i['title']}" + (" (new)" if i["_launch"] else "")
                                   for i in world.trending))
    for pid, s in story.items():
        print(f"{pid}: {len(profiles[pid]['events'])} events {json.dumps(s, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
